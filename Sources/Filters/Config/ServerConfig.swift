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

    public init() {}

    static let keys = ["host", "port", "maxConcurrentUploads", "maxBufferedBytes", "page", "cors", "shutdownTimeout"]

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
        if let timeout = map["shutdownTimeout"] {
            guard let seconds = Double(try timeout.string()), seconds >= 0, seconds.isFinite else {
                throw timeout.error("expected seconds, e.g. 30")
            }
            shutdownTimeout = seconds
        }
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
