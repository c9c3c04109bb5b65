import Foundation
import Synchronization

/// The ids of single-use tokens seen within their life, in this process. Bounded: an id is
/// forgotten once its token has expired, and past `capacity` live ids new ones are refused
/// rather than letting the set grow.
final class ReplayGuard: ReplayLedger {
    let capacity: Int
    private let seen = Mutex<[String: Date]>([:])

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    func use(_ id: String, expires: Date, now: Date = Date()) -> ReplayVerdict {
        seen.withLock { seen in
            if let until = seen[id], until > now { return .replayed }
            if seen.count >= capacity { seen = seen.filter { $0.value > now } }
            guard seen.count < capacity else { return .full }
            seen[id] = expires
            return .first
        }
    }
}
