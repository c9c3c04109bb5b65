import NIOCore
import Synchronization

/// `maxConnections` and `maxConnectionsPerClient`: open connections cost memory whatever is
/// sent on them (a channel, its buffers, up to a whole request head), so one client address
/// may hold only so many, and the server only so many in all. Connections beyond either are
/// closed as they are accepted.
final class ConnectionLimiter: Sendable {
    let limit: Int
    /// Per client address (``UploadLimiter/clientKey(_:)``); 0: no limit.
    let perClient: Int
    private let state = Mutex(State())

    private struct State {
        var total = 0
        var byClient: [String: Int] = [:]
    }

    enum Refusal: String {
        case serverFull = "server_full"
        case clientFull = "client_full"
    }

    init(limit: Int, perClient: Int) {
        self.limit = limit
        self.perClient = perClient
    }

    var open: Int { state.withLock { $0.total } }

    /// Counts a connection from `client` as open, or says why it may not be.
    func tryOpen(client: String) -> Refusal? {
        state.withLock { state in
            guard state.total < limit else { return .serverFull }
            let mine = state.byClient[client, default: 0]
            guard perClient == 0 || mine < perClient else { return .clientFull }
            state.total += 1
            state.byClient[client] = mine + 1
            return nil
        }
    }

    func closed(client: String) {
        state.withLock { state in
            state.total -= 1
            let left = state.byClient[client, default: 1] - 1
            state.byClient[client] = left > 0 ? left : nil
        }
    }
}
