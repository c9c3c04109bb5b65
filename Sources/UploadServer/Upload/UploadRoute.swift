import Synchronization
import Filters

/// A route from config, ready to serve: its chain, key template, auth and limits.
struct UploadRoute: Sendable {
    let config: RouteConfig
    let chain: Chain
    let keyTemplate: KeyTemplate
    let auth: BearerAuth?

    var path: String { config.path }
}

/// `maxConcurrentUploads`: uploads beyond it are answered 503 at once rather than queued.
final class UploadLimiter: Sendable {
    let limit: Int
    private let current = Mutex<Int>(0)

    init(limit: Int) { self.limit = limit }

    var inFlight: Int { current.withLock { $0 } }

    func tryEnter() -> Bool {
        current.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { current.withLock { $0 -= 1 } }
}
