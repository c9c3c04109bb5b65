import NIOCore
import Synchronization

/// A limit on the bytes held in part buffers across all uploads, in use or kept idle for
/// reuse. When it is spent, idle buffers are given up first; then uploads wait for parts to
/// finish instead of allocating more: memory stays bounded under load.
public final class MemoryBudget: Sendable {
    /// Parts are charged in steps of this many bytes.
    static let granule = 1 << 20

    /// `bytes` rounded up to whole granules, the unit every charge is made in.
    static func granules(_ bytes: Int) -> Int { (bytes + granule - 1) / granule * granule }

    public let limit: Int
    private let state: Mutex<State>
    /// Holders of idle charged memory (part buffer pools), asked to give it up on a shortfall.
    private let holders = Mutex<[WeakHolder]>([])

    struct State {
        var used = 0
        var waiters: [Waiter] = []
        var nextId: UInt64 = 0
        /// Waits cancelled before they were queued: the cancel handler can run first.
        var cancelled: Set<UInt64> = []
    }

    struct Waiter {
        var id: UInt64
        var bytes: Int
        /// A part about to start: a finished part's buffer, charged `bytes`, serves it as well
        /// as new room does, and its pages are already in memory.
        var takesBuffer: Bool
        /// Resumed with the buffer handed over, or nil when the room was granted.
        var continuation: CheckedContinuation<ByteBuffer?, any Error>
    }

    public init(limit: Int) {
        self.limit = limit
        self.state = Mutex(State())
    }

    /// Bytes currently charged.
    public var used: Int { state.withLock { $0.used } }

    /// Whether an upload is waiting for room.
    var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    func register(_ holder: any IdleMemoryHolder) {
        holders.withLock { $0.removeAll { $0.holder == nil }; $0.append(WeakHolder(holder: holder)) }
    }

    /// Charges `bytes` only if they fit now and no one is waiting.
    func tryAcquire(_ bytes: Int) -> Bool {
        state.withLock { state in
            guard state.waiters.isEmpty, state.used + bytes <= limit else { return false }
            state.used += bytes
            return true
        }
    }

    /// Waits until `bytes` fit, then charges them. A request larger than the whole budget is
    /// granted once nothing else is charged, so one large part cannot wait forever.
    func acquire(_ bytes: Int) async throws {
        _ = try await wait(bytes, takesBuffer: false)
    }

    /// Charges a whole part's `bytes` like ``acquire(_:)``, or, when it has to wait and a
    /// finished part's buffer with that charge comes back first, returns that buffer instead
    /// (see ``handOver(_:charge:)``). nil: the room was granted; allocate a buffer.
    func acquirePart(_ bytes: Int) async throws -> ByteBuffer? {
        try await wait(bytes, takesBuffer: true)
    }

    /// Gives a part buffer charged `charge` bytes to the upload at the head of the queue if
    /// that one is starting a part of that charge: the charge moves with the buffer. Returns the
    /// buffer when no one took it.
    func handOver(_ buffer: consuming ByteBuffer, charge: Int) -> ByteBuffer? {
        let taker = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            guard let first = state.waiters.first, first.takesBuffer, first.bytes == charge else { return nil }
            return state.waiters.removeFirst().continuation
        }
        guard let taker else { return buffer }
        taker.resume(returning: consume buffer)
        return nil
    }

    private func wait(_ bytes: Int, takesBuffer: Bool) async throws -> ByteBuffer? {
        try Task.checkCancellation()
        reclaimIdle(for: bytes)
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        // A cancel that came after the grant leaves its id behind.
        defer { state.withLock { _ = $0.cancelled.remove(id) } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
                enum Outcome { case granted, queued, cancelled }
                let outcome = state.withLock { state -> Outcome in
                    if state.cancelled.remove(id) != nil { return .cancelled }
                    if state.waiters.isEmpty, state.fits(bytes, limit: limit) {
                        state.used += bytes
                        return .granted
                    }
                    state.waiters.append(Waiter(id: id, bytes: bytes, takesBuffer: takesBuffer, continuation: continuation))
                    return .queued
                }
                switch outcome {
                case .granted: continuation.resume(returning: nil)
                case .cancelled: continuation.resume(throwing: CancellationError())
                // A buffer may have gone idle between the first look and the queueing.
                case .queued: reclaimIdle(for: bytes)
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    func release(_ bytes: Int) {
        let ready = state.withLock { state -> [CheckedContinuation<ByteBuffer?, any Error>] in
            state.used -= bytes
            var ready: [CheckedContinuation<ByteBuffer?, any Error>] = []
            // First come, first served: a large request at the head is not overtaken.
            while let first = state.waiters.first, state.fits(first.bytes, limit: limit) {
                state.used += first.bytes
                ready.append(state.waiters.removeFirst().continuation)
            }
            return ready
        }
        for continuation in ready { continuation.resume(returning: nil) }
    }
}

extension MemoryBudget {
    /// Asks the holders of idle memory for what `bytes` lacks, and releases what they give up.
    func reclaimIdle(for bytes: Int) {
        let shortfall = state.withLock { $0.used + bytes - limit }
        guard shortfall > 0 else { return }
        var freed = 0
        for holder in holders.withLock({ $0.compactMap(\.holder) }) where freed < shortfall {
            freed += holder.giveUpIdle(shortfall - freed)
        }
        if freed > 0 { release(freed) }
    }

    struct WeakHolder {
        weak var holder: (any IdleMemoryHolder)?
    }
}

/// Keeps charged memory idle for reuse (``PartBufferPool``) and gives it up when the budget
/// runs short.
protocol IdleMemoryHolder: AnyObject, Sendable {
    /// Drops idle memory worth at least `bytes` if it has that much; returns the bytes of
    /// charge dropped, which the budget then releases.
    func giveUpIdle(_ bytes: Int) -> Int
}

extension MemoryBudget.State {
    func fits(_ bytes: Int, limit: Int) -> Bool { used + bytes <= limit || used == 0 }
}
