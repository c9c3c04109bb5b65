import Filters
import Storage

/// One entry of `routes:` — an upload endpoint and the chain it runs.
public struct RouteConfig: Sendable {
    public var path: String
    public var chain: String
    /// Overrides the storage's key template.
    public var key: KeyTemplate?
    public var maxFiles = 10
    public var maxFields = 100
    public var maxFieldBytes: Int64 = 64 << 10
    /// All text fields together, as the 201 echoes them (JSON-escaped).
    public var maxFieldsBytes: Int64 = 256 << 10
    public var maxRequestBytes: Int64?
    /// The env var that holds the accepted bearer tokens (comma or space separated).
    public var bearerTokensEnv: String?
    /// Upload tokens (JWT) instead of static bearer tokens.
    public var jwt: JWTAuthConfig?
    /// The app's webhook for this route's uploads.
    public var notify: WebhookConfig?
    /// A tus endpoint under the route; nil: uploads in one request only.
    public var resumable: ResumableRouteConfig?
    /// Where it was written, for messages.
    public var line: Int?

    public init(path: String, chain: String) {
        self.path = path
        self.chain = chain
    }

    static let reservedPaths = ["/", "/healthz", "/metrics", "/sluice.js"]

    init(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowed: ["path", "chain", "key", "maxFiles", "maxFields", "maxFieldBytes", "maxFieldsBytes", "maxRequestBytes", "auth", "notify", "resumable"])
        let pathNode = try map.required("path")
        path = try pathNode.string()
        guard path.hasPrefix("/"), !path.contains("?"), !path.contains("#"), !path.contains("{"), !path.contains("*") else {
            throw pathNode.error("\"\(path)\" is not a route path (write it like /upload)")
        }
        if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard !RouteConfig.reservedPaths.contains(path) else {
            throw pathNode.error("\(path) is taken by the server itself (\(RouteConfig.reservedPaths.joined(separator: ", ")))")
        }
        chain = try map.required("chain").string()
        if let keyNode = map["key"] {
            key = try StorageConfig.keyTemplate(keyNode)
        }
        if let n = map["maxFiles"] { maxFiles = try n.int(in: 1...10_000) }
        if let n = map["maxFields"] { maxFields = try n.int(in: 0...100_000) }
        if let n = map["maxFieldBytes"] { maxFieldBytes = try n.size() }
        if let n = map["maxFieldsBytes"] { maxFieldsBytes = try n.size() }
        if let n = map["maxRequestBytes"] { maxRequestBytes = try n.size() }
        if let auth = map["auth"] {
            let authMap = try auth.mapping(allowed: ["bearerTokensEnv", "jwt"])
            switch (authMap["bearerTokensEnv"], authMap["jwt"]) {
            case (let envNode?, nil):
                let name = try envNode.string()
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                    throw envNode.error("\"\(name)\" is not an environment variable name")
                }
                bearerTokensEnv = name
            case (nil, let jwtNode?):
                jwt = try JWTAuthConfig(jwtNode)
            case (.some, .some):
                throw auth.error("a route takes bearerTokensEnv or jwt, not both")
            case (nil, nil):
                throw auth.error("set bearerTokensEnv (static tokens, for scripts) or jwt (upload tokens from your app)")
            }
        }
        if let node = map["notify"] { notify = try WebhookConfig(node) }
        if let node = map["resumable"], (try? node.bool()) != false { resumable = try ResumableRouteConfig(node) }
        line = node.line
    }
}
