import Filters
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
    /// How long an upload that has charged nothing yet may wait for room before it is refused
    /// with ``Exhausted``; nil: as long as it takes.
    public let startTimeout: Duration?
    private let state: Mutex<State>
    /// Holders of idle charged memory (part buffer pools), asked to give it up on a shortfall.
    private let holders = Mutex<[WeakHolder]>([])

    struct State {
        var used = 0
        var waiters: [Waiter] = []
        /// What the waiters hold already (a part half-filled): when it is all that is used, no
        /// release is coming and the head goes ahead even over the limit.
        var heldByWaiters = 0
        var nextId: UInt64 = 0
        /// Waits cancelled (or timed out) before they were queued: the handler can run first.
        var cancelled: [UInt64: any Error] = [:]
    }

    struct Waiter {
        var id: UInt64
        var bytes: Int
        /// Charged to it already, and stuck until it goes on.
        var holding: Int
        /// A part about to start: a finished part's buffer, charged `bytes`, serves it as well
        /// as new room does, and its pages are already in memory.
        var takesBuffer: Bool
        /// Resumed with the buffer handed over, or nil when the room was granted.
        var continuation: CheckedContinuation<ByteBuffer?, any Error>
    }

    /// An upload could not start within ``startTimeout``: every byte of the budget is held.
    public struct Exhausted: Error, Sendable, CustomStringConvertible {
        public let waited: Duration
        public var description: String { "no memory for another upload within \(waited)" }
    }

    public init(limit: Int, startTimeout: Duration? = nil) {
        self.limit = limit
        self.startTimeout = startTimeout
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
    /// granted once nothing else is charged, so one large part cannot wait forever; so is the
    /// one at the head of the queue when everything charged is held by waiters (`holding`: what
    /// the caller holds already and cannot give back until it is granted). The budget is then
    /// exceeded by at most one part, rather than every upload stopping for good.
    ///
    /// `starting`: the upload's first charge, which gives up after ``startTimeout``.
    func acquire(_ bytes: Int, holding: Int = 0, starting: Bool = false) async throws {
        _ = try await wait(bytes, holding: holding, takesBuffer: false, starting: starting)
    }

    /// Charges a whole part's `bytes` like ``acquire(_:)``, or, when it has to wait and a
    /// finished part's buffer with that charge comes back first, returns that buffer instead
    /// (see ``handOver(_:charge:)``). nil: the room was granted; allocate a buffer.
    func acquirePart(_ bytes: Int) async throws -> ByteBuffer? {
        try await wait(bytes, holding: 0, takesBuffer: true, starting: false)
    }

    /// Gives a part buffer charged `charge` bytes to the upload at the head of the queue if
    /// that one is starting a part of that charge: the charge moves with the buffer. Returns the
    /// buffer when no one took it.
    func handOver(_ buffer: consuming ByteBuffer, charge: Int) -> ByteBuffer? {
        let taker = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            guard let first = state.waiters.first, first.takesBuffer, first.bytes == charge else { return nil }
            return state.removeWaiter(at: 0).continuation
        }
        guard let taker else { return buffer }
        taker.resume(returning: consume buffer)
        return nil
    }

    private func wait(_ bytes: Int, holding: Int, takesBuffer: Bool, starting: Bool) async throws -> ByteBuffer? {
        try Task.checkCancellation()
        if tryAcquire(bytes) { return nil }
        reclaimIdle(for: bytes)
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        // Only a wait that has to queue pays for a timer.
        let timer = startTimeout.flatMap { timeout in
            starting ? Task { [weak self] in
                try await Task.sleep(for: timeout)
                self?.withdraw(id, with: Exhausted(waited: timeout))
            } : nil
        }
        // A cancel that came after the grant leaves its id behind.
        defer {
            timer?.cancel()
            state.withLock { _ = $0.cancelled.removeValue(forKey: id) }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
                // An error: withdrawn before it queued.
                let outcome = state.withLock { state -> Result<(ready: [CheckedContinuation<ByteBuffer?, any Error>], queued: Bool), any Error> in
                    if let error = state.cancelled.removeValue(forKey: id) { return .failure(error) }
                    state.waiters.append(Waiter(id: id, bytes: bytes, holding: holding, takesBuffer: takesBuffer, continuation: continuation))
                    state.heldByWaiters += holding
                    // This one may go, or the head: what this one holds may be the last of the budget.
                    let ready = state.grantReady(limit: limit)
                    return .success((ready, state.waiters.contains { $0.id == id }))
                }
                switch outcome {
                case .failure(let error):
                    continuation.resume(throwing: error)
                case .success(let outcome):
                    for granted in outcome.ready { granted.resume(returning: nil) }
                    // A buffer may have gone idle between the first look and the queueing.
                    if outcome.queued { reclaimIdle(for: bytes) }
                }
            }
        } onCancel: {
            withdraw(id, with: CancellationError())
        }
    }

    /// Takes waiter `id` out of the queue and fails its wait with `error` (or, if it has not
    /// queued yet, makes it fail as it does).
    private func withdraw(_ id: UInt64, with error: any Error) {
        let (waiter, ready) = state.withLock { state -> (CheckedContinuation<ByteBuffer?, any Error>?, [CheckedContinuation<ByteBuffer?, any Error>]) in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                state.cancelled[id] = error
                return (nil, [])
            }
            let waiter = state.removeWaiter(at: index).continuation
            // A large request at the head may have held back smaller ones that fit.
            return (waiter, state.grantReady(limit: limit))
        }
        waiter?.resume(throwing: error)
        for granted in ready { granted.resume(returning: nil) }
    }

    func release(_ bytes: Int) {
        let ready = state.withLock { state in
            state.used -= bytes
            return state.grantReady(limit: limit)
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
    /// Whether the first waiter may have its bytes now: they fit, or nothing but waiters holds
    /// the budget (nothing at all, for a request larger than the budget), so no release could
    /// ever make them fit.
    func headGoes(limit: Int) -> Bool {
        guard let first = waiters.first else { return false }
        return used + first.bytes <= limit || used <= heldByWaiters
    }

    /// Charges the waiters that may go, in order, and returns them to be resumed. First come,
    /// first served: a large request at the head is not overtaken.
    mutating func grantReady(limit: Int) -> [CheckedContinuation<ByteBuffer?, any Error>] {
        var ready: [CheckedContinuation<ByteBuffer?, any Error>] = []
        while let first = waiters.first, headGoes(limit: limit) {
            used += first.bytes
            ready.append(removeWaiter(at: 0).continuation)
        }
        return ready
    }

    mutating func removeWaiter(at index: Int) -> MemoryBudget.Waiter {
        let waiter = waiters.remove(at: index)
        heldByWaiters -= waiter.holding
        return waiter
    }
}
