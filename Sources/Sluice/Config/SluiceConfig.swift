import Filters
import Foundation
import Storage

/// A whole config file: `server`, `storage`, `routes` and `chains`. filterctl and UploadServer
/// read the same file.
public struct SluiceConfig: Sendable {
    public var file: String
    public var server: ServerConfig
    /// nil when the file has no `storage:` section.
    public var storage: StorageConfig?
    public var routes: [RouteConfig]
    /// In file order.
    public var chains: [Chain]
    /// Legal but worth a second look (shown by `filterctl validate`).
    public var warnings: [ConfigError]

    public static let sections = ["server", "storage", "routes", "chains"]

    public func chain(named name: String) -> Chain? { chains.first { $0.name == name } }

    /// Reads and checks a config file.
    public static func load(path: String, registry: FilterRegistry = .standard) throws(ConfigError) -> SluiceConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, line: nil, key: nil, message: "no such file")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, key: nil, message: isDirectory.boolValue ? "is a directory, not a config file" : "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, key: nil, message: "is not UTF-8 text")
        }
        return try parse(yaml: text, file: path, registry: registry)
    }

    /// Checks a config given as text; `file` names it in errors.
    public static func parse(yaml: String, file: String = "config", registry: FilterRegistry = .standard) throws(ConfigError) -> SluiceConfig {
        guard let root = try ConfigNode.parse(yaml: yaml, file: file) else {
            throw ConfigError(file: file, line: nil, key: nil, message: "the config is empty; it needs at least `chains:`")
        }
        return try SluiceConfig(root: root, registry: registry)
    }

    init(root: ConfigNode, registry: FilterRegistry) throws(ConfigError) {
        file = root.file
        let map = try root.mapping(allowed: SluiceConfig.sections)
        server = try map["server"].map { node throws(ConfigError) in try ServerConfig(node) } ?? ServerConfig()
        storage = try map["storage"].map { node throws(ConfigError) in try StorageConfig(node) }
        warnings = []
        if case .s3(let settings)? = storage?.kind, settings.credentials != nil, let node = try? map.required("storage") {
            warnings.append(node.error("credentials in the config file: prefer the environment or ~/.aws/credentials, and keep this file out of version control"))
        }
        chains = []

        let chainsNode = try map.required("chains")
        let chainMap = try chainsNode.mapping()
        guard !chainMap.entries.isEmpty else { throw chainsNode.error("define at least one chain") }
        for (name, node) in chainMap.entries {
            let (chain, chainWarnings) = try registry.chain(named: name, node)
            chains.append(chain)
            warnings += chainWarnings
        }

        routes = []
        if let routesNode = map["routes"] {
            for node in try routesNode.list() {
                let route = try RouteConfig(node)
                guard chain(named: route.chain) != nil else {
                    let chainNode = (try? node.mapping())?["chain"] ?? node
                    let known = chains.map(\.name).joined(separator: ", ")
                    throw chainNode.error("no chain named \"\(route.chain)\" (chains: \(known))")
                }
                if let earlier = routes.first(where: { $0.path == route.path }) {
                    throw node.error("the path \(route.path) is already routed (line \(earlier.line ?? 0))")
                }
                if route.jwt?.spentInBucket == true, let storage, case .discard = storage.kind {
                    throw node.error("route \(route.path) has singleUse: bucket, which needs storage type: s3 (spent tokens are remembered in the bucket)")
                }
                if let resumable = (try? node.mapping())?["resumable"] {
                    try SluiceConfig.checkResumable(route, chain: chain(named: route.chain)!, storage: storage, node: resumable)
                }
                routes.append(route)
            }
        }
    }

    /// A resumable route needs a chain whose every step can carry its state between requests,
    /// and storage that can keep that state.
    static func checkResumable(_ route: RouteConfig, chain: Chain, storage: StorageConfig?, node: ConfigNode) throws(ConfigError) {
        guard route.resumable != nil else { return }
        let steps = chain.stepsThatCannotResume
        guard steps.isEmpty else {
            throw node.error(
                "route \(route.path) is resumable, but chain \"\(chain.name)\" has \(steps.map { "`\($0)`" }.joined(separator: ", ")), which cannot keep \(steps.count == 1 ? "its" : "their") state between requests; remove \(steps.count == 1 ? "it" : "them") or make the route resumable: false")
        }
        if let storage, case .discard = storage.kind {
            throw node.error("route \(route.path) is resumable, which needs storage type: s3 (uploads keep their state in the bucket)")
        }
    }
}
