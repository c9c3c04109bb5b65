import Filters
import S3

/// `server:` — how UploadServer listens and how much it takes on at once.
public struct ServerConfig: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Uploads in progress at once; more get 503.
    public var maxConcurrentUploads = 64
    /// Memory for S3 part buffers across all uploads; when it is spent, uploads wait. The
    /// default holds two uploads at full speed (5 parts of 8 MiB each) and keeps the server
    /// under 160 MiB with 8 uploads at once (README, Deploying).
    public var maxBufferedBytes: Int64 = 88 << 20
    /// Serve the upload page at `/`.
    public var page = true
    public var cors: CORSConfig?
    /// On SIGTERM, how long in-flight uploads may take to finish before they are aborted.
    public var shutdownTimeout: Double = 30
    /// Uploads in progress at once from one client address (an IPv6 /64); 0: no limit.
    public var maxUploadsPerClient = 16
    /// Connections open at once; more are closed as they are accepted. Nil: 1,024, or
    /// `maxConcurrentUploads` when that is more (see ``connectionLimits``).
    public var maxConnections: Int?
    /// Connections open at once from one client address (an IPv6 /64); 0: no limit. Nil: 64, or
    /// `maxUploadsPerClient` when that is more, and no limit when that is 0 (behind a proxy).
    public var maxConnectionsPerClient: Int?
    /// Seconds an upload that cannot get its first memory waits before it is refused (503).
    public var memoryWaitTimeout: Double = 10
    /// The slowest a request body may arrive, in bytes per second averaged over the time the
    /// server waits for it, once `receiveGracePeriod` has passed; 0: no minimum.
    public var minReceiveRate: Int64 = 1024
    /// Seconds a body may take before `minReceiveRate` applies, as Apache's mod_reqtimeout.
    public var receiveGracePeriod: Double = 20
    /// Seconds a client gets to read an answer before its connection is closed (checked once a
    /// second: up to a second more).
    public var sendTimeout: Double = 30

    public init() {}

    static let keys = [
        "host", "port", "maxConcurrentUploads", "maxBufferedBytes", "page", "cors", "shutdownTimeout", "maxUploadsPerClient",
        "memoryWaitTimeout", "minReceiveRate", "receiveGracePeriod", "sendTimeout", "maxConnections", "maxConnectionsPerClient",
    ]

    init(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowed: Self.keys)
        if let host = map["host"] { self.host = try host.string() }
        if let port = map["port"] { self.port = try port.int(in: 0...65535) }
        if let n = map["maxConcurrentUploads"] { maxConcurrentUploads = try n.int(in: 1...100_000) }
        if let n = map["maxBufferedBytes"] {
            maxBufferedBytes = try n.size()
            guard maxBufferedBytes >= 5 << 20 else { throw n.error("must be at least 5MiB (one S3 part)") }
        }
        if let page = map["page"] { self.page = try page.bool() }
        if let cors = map["cors"] { self.cors = try CORSConfig(cors) }
        if let node = map["shutdownTimeout"] { shutdownTimeout = try node.seconds(example: "30") }
        if let n = map["maxUploadsPerClient"] { maxUploadsPerClient = try n.int(in: 0...100_000) }
        if let node = map["memoryWaitTimeout"] { memoryWaitTimeout = try node.seconds(example: "10") }
        if let n = map["minReceiveRate"] { minReceiveRate = try n.size() }
        if let node = map["receiveGracePeriod"] { receiveGracePeriod = try node.seconds(example: "20") }
        if let node = map["sendTimeout"] {
            sendTimeout = try node.seconds(example: "30")
            guard sendTimeout > 0 else { throw node.error("must be more than 0 seconds") }
        }
        // Each upload holds a connection: fewer connections than uploads would leave the upload
        // limits unreachable, and clients would meet closed connections instead of 503 and 429.
        if let n = map["maxConnections"] {
            let limit = try n.int(in: 1...1_000_000)
            guard limit >= maxConcurrentUploads else { throw n.error("must be at least maxConcurrentUploads (\(maxConcurrentUploads))") }
            maxConnections = limit
        }
        if let n = map["maxConnectionsPerClient"] {
            let limit = try n.int(in: 0...1_000_000)
            guard limit == 0 || limit >= maxUploadsPerClient else { throw n.error("must be at least maxUploadsPerClient (\(maxUploadsPerClient)), or 0") }
            maxConnectionsPerClient = limit
        }
    }

    /// The connection limits in force: as set, or following the upload limits.
    public var connectionLimits: (total: Int, perClient: Int) {
        let total = maxConnections ?? Swift.max(1024, maxConcurrentUploads)
        let perClient = maxConnectionsPerClient ?? (maxUploadsPerClient == 0 ? 0 : Swift.max(64, maxUploadsPerClient))
        return (total, perClient)
    }
}

/// `server.cors:` — which other origins may upload from a browser.
public struct CORSConfig: Sendable, Equatable {
    /// nil means any origin (`"*"`).
    public var allowOrigins: [String]?
    public var allowHeaders = ["content-type", "authorization", "x-requested-with"]
    public var exposeHeaders: [String] = []
    public var maxAge: Int?
    public var allowCredentials = false

    public init(allowOrigins: [String]?) {
        self.allowOrigins = allowOrigins
    }

    init(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowed: ["allowOrigins", "allowHeaders", "exposeHeaders", "maxAge", "allowCredentials"])
        let originsNode = try map.required("allowOrigins")
        let origins = try originsNode.strings()
        if origins == ["*"] {
            allowOrigins = nil
        } else {
            for origin in origins where origin == "*" || !CORSConfig.isOrigin(origin) {
                throw originsNode.error("\"\(origin)\" is not an origin (scheme://host[:port], no path), and \"*\" must stand alone")
            }
            allowOrigins = origins.map { $0.lowercased() }
        }
        if let headers = map["allowHeaders"] { allowHeaders = try headers.strings().map { $0.lowercased() } }
        if let headers = map["exposeHeaders"] { exposeHeaders = try headers.strings() }
        if let age = map["maxAge"] { maxAge = try age.int(in: 0...86_400) }
        if let credentials = map["allowCredentials"] { allowCredentials = try credentials.bool() }
        if allowCredentials && allowOrigins == nil {
            throw (map["allowCredentials"] ?? node).error("allowCredentials needs a list of origins: browsers refuse credentials with \"*\"")
        }
    }

    static func isOrigin(_ text: String) -> Bool {
        guard let schemeEnd = text.range(of: "://") else { return false }
        let scheme = text[..<schemeEnd.lowerBound], rest = text[schemeEnd.upperBound...]
        return (scheme == "http" || scheme == "https") && !rest.isEmpty && !rest.contains("/")
    }
}
