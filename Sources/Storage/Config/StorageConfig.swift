import Filters
import S3

/// `storage:` — where accepted uploads go.
public struct StorageConfig: Sendable {
    public enum Kind: Sendable {
        /// Count and drop the bytes (trying chains, benchmarks).
        case discard
        case s3(S3UploadSettings)
    }

    public var kind: Kind
    public var keyTemplate: KeyTemplate

    public init(kind: Kind, keyTemplate: KeyTemplate = .default) {
        self.kind = kind
        self.keyTemplate = keyTemplate
    }

    static let types = ["discard", "s3"]

    package init(_ node: ConfigNode) throws(ConfigError) {
        let common = ["type", "keyTemplate"]
        let typeNode = try node.mapping()["type"] ?? node
        let type = try node.mapping().required("type").string()
        switch type {
        case "discard":
            let map = try node.mapping(allowed: common)
            kind = .discard
            keyTemplate = try StorageConfig.keyTemplate(map["keyTemplate"])
        case "s3":
            let map = try node.mapping(allowed: common + S3UploadSettings.configKeys)
            kind = .s3(try S3UploadSettings(map))
            keyTemplate = try StorageConfig.keyTemplate(map["keyTemplate"])
        default:
            throw typeNode.error("unknown storage type \"\(type)\"; known: \(StorageConfig.types.joined(separator: ", "))")
        }
    }

    package static func keyTemplate(_ node: ConfigNode?) throws(ConfigError) -> KeyTemplate {
        guard let node else { return .default }
        let text = try node.string()
        do { return try KeyTemplate(text) } catch { throw node.error(error.message) }
    }
}
