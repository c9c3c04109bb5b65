import Filters
import NIOCore
import Synchronization

/// So many at once, in all and from one client address, so that one address cannot take every
/// slot: uploads (`maxConcurrentUploads`, `maxUploadsPerClient`: beyond either, 503 or 429 at
/// once rather than a queue) and connections (`maxConnections`, `maxConnectionsPerClient`).
final class ClientLimiter: Sendable {
    let limit: Int
    /// Per client address; 0: no limit.
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

    var inFlight: Int { state.withLock { $0.total } }

    /// Takes a slot for `client` (see ``clientKey(_:)``), or says why not.
    func tryEnter(client: String) -> Refusal? {
        state.withLock { state in
            guard state.total < limit else { return .serverFull }
            let mine = state.byClient[client, default: 0]
            guard perClient == 0 || mine < perClient else { return .clientFull }
            state.total += 1
            state.byClient[client] = mine + 1
            return nil
        }
    }

    func leave(client: String) {
        state.withLock { state in
            state.total -= 1
            let left = state.byClient[client, default: 1] - 1
            state.byClient[client] = left > 0 ? left : nil
        }
    }

    /// Whose slots an address takes: an IPv4 address, or an IPv6 /64 (one subscriber's
    /// network, which hands its hosts any address in it).
    static func clientKey(_ address: SocketAddress?) -> String {
        switch address {
        case .v6(let v6)?:
            var address = v6.address.sin6_addr
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            // An IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 client.
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                return bytes[12...].map(String.init).joined(separator: ".")
            }
            return stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":") + "::/64"
        case let address?:
            return address.ipAddress ?? "unknown"
        case nil:
            return "unknown"
        }
    }
}
