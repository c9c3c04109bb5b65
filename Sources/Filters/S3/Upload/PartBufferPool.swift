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

    /// Puts an empty buffer with room for `size` bytes into `buffer` (from the pool when the size
    /// is the usual one). Returns true when it was used before: then all its memory is in use
    /// already, not only as it fills. (An inout rather than a result: a second reference to the
    /// buffer, even briefly, would make its first write copy all of it.)
    func take(size: Int, into buffer: inout ByteBuffer) -> Bool {
        if size == partSize, var reused = idle.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            // Cleared now rather than when given back: the HTTP client lets go of a sent part
            // a moment after the request returns, and clear() on a shared buffer allocates.
            reused.clear()
            buffer = consume reused
            return true
        }
        buffer = ByteBuffer()
        buffer.reserveCapacity(size)
        return false
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
