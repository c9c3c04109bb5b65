import Filters
import NIOCore
import Synchronization

/// `server.minReceiveRate` for one request body, in the way of Apache's mod_reqtimeout
/// `MinRate`: after the grace period the body must have arrived at the minimum rate. Only the
/// time the server spends waiting for the client counts, not the time it stops reading to
/// let storage catch up, so backpressure never makes a client look slow.
final class ReceiveRateGuard: Sendable {
    struct Policy: Sendable {
        /// Bytes per second; 0 turns the guard off.
        var minRate: Int64
        var grace: Duration
    }

    let policy: Policy
    private let state = Mutex(State())

    private struct State {
        /// When the pending read began; nil while the server is not waiting for the client.
        var waitingSince: ContinuousClock.Instant?
        /// Time spent waiting for the client in reads that ended.
        var waited: Duration = .zero
        var received: Int64 = 0
        var tripped = false
    }

    init(policy: Policy) { self.policy = policy }

    var isEnabled: Bool { policy.minRate > 0 }

    /// The guard ended the body: the client was too slow.
    var tripped: Bool { state.withLock { $0.tripped } }

    func readBegins() {
        let now = ContinuousClock.now
        state.withLock { $0.waitingSince = now }
    }

    func readEnds(bytes: Int) {
        let now = ContinuousClock.now
        state.withLock { state in
            if let since = state.waitingSince { state.waited += now - since }
            state.waitingSince = nil
            state.received += Int64(bytes)
        }
    }

    /// Whether the client is behind the minimum rate now; the first time it is, the guard
    /// trips (the caller then ends the body).
    func check(now: ContinuousClock.Instant = .now) -> Bool {
        guard isEnabled else { return false }
        return state.withLock { state in
            guard !state.tripped else { return false }
            let waited = state.waited + (state.waitingSince.map { now - $0 } ?? .zero)
            let allowance = policy.grace + .seconds(Double(state.received) / Double(policy.minRate))
            guard waited > allowance else { return false }
            state.tripped = true
            return true
        }
    }

    /// Checks at each of `watchdog`'s sweeps (every second) and closes the connection's input
    /// when the client falls behind: the pending read ends, and the upload answers 408.
    func watch(_ channel: any Channel, on watchdog: ConnectionWatchdog) -> ConnectionWatchdog.Entry? {
        guard isEnabled else { return nil }
        return watchdog.arm { [self] now in
            guard check(now: now) else { return false }
            channel.close(mode: .input, promise: nil)
            return true
        }
    }
}
