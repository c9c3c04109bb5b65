import Foundation
import Yams

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
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(file: file, line: nil, key: nil, message: "the config is empty; it needs at least `chains:`")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch {
            throw SluiceConfig.describe(yamlError: error, file: file)
        }
        return try SluiceConfig(root: ConfigNode(node: root, path: "", file: file), registry: registry)
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
            let (chain, chainWarnings) = try SluiceConfig.chain(named: name, node, registry: registry)
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
                routes.append(route)
            }
        }
    }

    static func chain(named name: String, _ node: ConfigNode, registry: FilterRegistry) throws(ConfigError) -> (Chain, [ConfigError]) {
        let entries = try node.list()
        var steps: [FilterStep] = []
        var warnings: [ConfigError] = []
        for entry in entries {
            let (filterName, options, nameLine) = try filterEntry(entry)
            let step = try registry.step(named: filterName, options: options, nameLine: nameLine)
            warnings += step.warnings.map { entry.error($0) }
            steps.append(step)
        }
        let chain: Chain
        do {
            chain = try Chain(name: name, steps: steps)
        } catch {
            throw entries[error.step].error(error.message)
        }
        if !steps.contains(where: { $0.traits.writes.contains(.contentType) }) {
            warnings.append(node.error("no `magic` step: the client's declared Content-Type is stored unchecked"))
        }
        if steps.isEmpty {
            warnings.append(node.error("the chain is empty: every upload is accepted as it is"))
        }
        return (chain, warnings)
    }

    /// `- magic: {allow: [...]}`, `- magic:` or `- magic`.
    static func filterEntry(_ entry: ConfigNode) throws(ConfigError) -> (String, ConfigNode, Int?) {
        if case .scalar = entry.node, !entry.isNull {
            let name = try entry.string()
            return (name, ConfigNode(node: Node("", .init(.null)), path: "\(entry.path).\(name)", file: entry.file), entry.line)
        }
        let map = try entry.mapping()
        guard map.entries.count == 1, let (name, options) = map.entries.first else {
            let found = map.keys.isEmpty ? "nothing" : map.keys.map { "`\($0)`" }.joined(separator: ", ")
            throw entry.error("each chain entry is one filter, written `- name: {options}`; found \(found)")
        }
        return (name, options, entry.line)
    }

    static func describe(yamlError error: any Error, file: String) -> ConfigError {
        guard let yaml = error as? YamlError else {
            return ConfigError(file: file, line: nil, key: nil, message: "bad YAML: \(error)")
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return ConfigError(file: file, line: mark.line, key: nil, message: "bad YAML: \(detail)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                file: file, line: context.mark.line, key: nil,
                message: "bad YAML: the key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")) appears twice in the same map")
        case .reader(let problem, _, _, _):
            return ConfigError(file: file, line: nil, key: nil, message: "bad YAML: \(problem)")
        default:
            return ConfigError(file: file, line: nil, key: nil, message: "bad YAML: \(yaml)")
        }
    }
}
