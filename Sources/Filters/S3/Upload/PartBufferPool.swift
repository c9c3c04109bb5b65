import NIOCore
import Synchronization

/// Part buffers kept for reuse. A fresh 8 MiB buffer per part costs page faults on every byte
/// and leaves glibc holding freed blocks; reusing a few keeps memory at what is in use.
final class PartBufferPool: Sendable {
    let partSize: Int
    /// How many idle buffers to keep.
    let keep: Int
    /// Oldest first: the longer a buffer waited, the likelier no one else holds it.
    private let idle = Mutex<[ByteBuffer]>([])

    init(partSize: Int, keep: Int) {
        self.partSize = partSize
        self.keep = keep
    }

    /// An empty buffer with room for `size` bytes (from the pool when the size is the usual one).
    func take(size: Int) -> ByteBuffer {
        if size == partSize, var buffer = idle.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            // Cleared now rather than when given back: the HTTP client lets go of a sent part
            // a moment after the request returns, and clear() on a shared buffer allocates.
            buffer.clear()
            return buffer
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        return buffer
    }

    /// Takes a buffer back. If someone still holds it (an HTTP write in progress), the next
    /// write into it copies first, so reuse is always safe; it is just cheaper when unshared.
    func give(_ buffer: consuming ByteBuffer) {
        guard buffer.capacity >= partSize else { return }
        let buffer = consume buffer
        idle.withLock { idle in
            if idle.count < keep { idle.append(buffer) }
        }
    }
}
