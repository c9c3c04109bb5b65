import Filters

/// `resumable:` on a route (`true`, or a map of these options): a tus 1.0 endpoint at
/// `<path>/tus`, with the route's chain, limits and auth.
public struct ResumableRouteConfig: Sendable, Equatable {
    /// The longest upload, declared or deferred.
    public var maxLength: Int64 = 100 << 30
    /// An upload not finished this long after its creation is removed.
    public var expiresAfter: Double = 24 * 3600
    /// How long a request's hold on an upload lasts without renewal: how soon another
    /// instance may take over from one that died.
    public var leaseSeconds: Double = 60
    /// Where the uploads' records and pending bytes live in the bucket.
    public var prefix = ".sluice-resumable/"

    public init() {}

    init(_ node: ConfigNode) throws(ConfigError) {
        if (try? node.bool()) == true { return }
        let map = try node.mapping(allowed: ["maxLength", "expiresAfter", "leaseSeconds", "prefix"])
        if let n = map["maxLength"] {
            maxLength = try n.size()
            guard maxLength > 0, maxLength <= 5 << 40 else { throw n.error("maxLength must be between 1 byte and 5 TiB (S3's largest object)") }
        }
        if let n = map["expiresAfter"] {
            expiresAfter = try n.seconds(example: "86400")
            guard expiresAfter >= 10 else { throw n.error("expiresAfter must be at least 10 seconds") }
        }
        if let n = map["leaseSeconds"] {
            leaseSeconds = try n.seconds(example: "60")
            guard leaseSeconds >= 3, leaseSeconds <= 3600 else { throw n.error("leaseSeconds must be between 3 and 3600") }
        }
        if let n = map["prefix"] {
            prefix = try n.string()
            guard !prefix.isEmpty, !prefix.hasPrefix("/"), prefix.hasSuffix("/") else { throw n.error("prefix must be a key prefix like .sluice-resumable/") }
        }
    }
}
