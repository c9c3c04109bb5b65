import NIOCore
import Synchronization

/// The server's clock for slow clients: every receive-rate check and every answer's send
/// deadline is an entry here, and one timer sweeps them all. Arming and disarming an entry
/// takes a lock; a timer of its own per request would wake the connection's event loop twice
/// (to schedule it and to cancel it) on every upload (docs/PERFORMANCE.md).
///
/// Entries are checked once per `interval`, so a deadline fires up to one interval late.
final class ConnectionWatchdog: Sendable {
    /// An armed entry; ``disarm(_:)`` removes it.
    struct Entry: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    /// Runs at each sweep; true when the entry has done its work and can go.
    typealias Check = @Sendable (ContinuousClock.Instant) -> Bool

    let interval: Duration
    private let checks = Mutex<State>(State())
    private let timer = Mutex<RepeatedTask?>(nil)

    private struct State {
        var nextId: UInt64 = 0
        var armed: [UInt64: Check] = [:]
    }

    init(interval: Duration = .seconds(1)) {
        self.interval = interval
    }

    /// Starts sweeping on `eventLoop` until ``stop()``.
    func start(on eventLoop: any EventLoop) {
        let task = eventLoop.scheduleRepeatedTask(initialDelay: TimeAmount(interval), delay: TimeAmount(interval)) { [self] _ in
            sweep()
        }
        timer.withLock { $0 = task }
    }

    func stop() {
        timer.withLock { $0?.cancel() }
    }

    /// Calls `check` at every sweep until it returns true or the entry is disarmed.
    func arm(_ check: @escaping Check) -> Entry {
        checks.withLock { state in
            state.nextId &+= 1
            state.armed[state.nextId] = check
            return Entry(id: state.nextId)
        }
    }

    /// Closes `channel` once `timeout` has passed, unless disarmed first.
    func close(_ channel: any Channel, after timeout: Duration) -> Entry {
        let deadline = ContinuousClock.now + timeout
        return arm { now in
            guard now >= deadline else { return false }
            channel.close(promise: nil)
            return true
        }
    }

    func disarm(_ entry: Entry) {
        _ = checks.withLock { $0.armed.removeValue(forKey: entry.id) }
    }

    /// Runs every armed check once, outside the lock, and drops the ones that are done.
    func sweep(now: ContinuousClock.Instant = .now) {
        let armed = checks.withLock { Array($0.armed) }
        var done: [UInt64] = []
        for (id, check) in armed where check(now) { done.append(id) }
        guard !done.isEmpty else { return }
        checks.withLock { state in
            for id in done { state.armed.removeValue(forKey: id) }
        }
    }

    /// How many entries are armed (for tests).
    var armedCount: Int { checks.withLock { $0.armed.count } }
}
