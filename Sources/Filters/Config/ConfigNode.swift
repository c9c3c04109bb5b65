import Yams

/// A YAML node with where it came from, so that every error can name file, line and key.
public struct ConfigNode {
    let node: Node
    /// Dotted key path from the document root.
    public let path: String
    public let file: String

    init(node: Node, path: String, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    public var line: Int? { node.mark?.line }

    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, key: path, message: message)
    }

    /// True for `key:` with no value, or `~`/`null`.
    public var isNull: Bool {
        if case .scalar(let scalar) = node { return scalar.tag == .init(.null) || (scalar.string.isEmpty && scalar.style == .plain) }
        return false
    }

    var kind: String {
        switch node {
        case .scalar: isNull ? "nothing" : "a value"
        case .mapping: "a map"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    public func string() throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw error("expected a string, found \(kind)") }
        return scalar.string
    }

    public func int(in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.trimmingSpaces()) else {
            throw error("expected a whole number, found \(describe())")
        }
        if let range, !range.contains(value) {
            throw error("\(value) is out of range (\(range.lowerBound)...\(range.upperBound))")
        }
        return value
    }

    public func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let scalar) = node else { throw error("expected true or false, found \(kind)") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found \(describe())")
        }
    }

    /// A size in bytes: `1048576`, `20MiB`, `1.5 GB` (see ``ByteSize``).
    public func size() throws(ConfigError) -> Int64 {
        let text: String
        if case .scalar(let scalar) = node, !isNull { text = scalar.string } else {
            throw error("expected a size such as 20MiB, found \(kind)")
        }
        do {
            return try ByteSize.parse(text)
        } catch let problem {
            throw error(problem.message)
        }
    }

    /// A duration in seconds, 0 or more: `30`, `0.5`. `example` goes into the error.
    public func seconds(example: String) throws(ConfigError) -> Double {
        guard let seconds = Double(try string()), seconds >= 0, seconds.isFinite else {
            throw error("expected seconds, e.g. \(example)")
        }
        return seconds
    }

    /// A list of strings; a single string is taken as a list of one.
    public func strings() throws(ConfigError) -> [String] {
        switch node {
        case .scalar where !isNull:
            return [try string()]
        case .sequence(let sequence):
            var result: [String] = []
            for (i, item) in sequence.enumerated() {
                result.append(try ConfigNode(node: item, path: "\(path)[\(i)]", file: file).string())
            }
            return result
        default:
            throw error("expected a list of strings, found \(kind)")
        }
    }

    public func list() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kind)") }
        return sequence.enumerated().map { ConfigNode(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// The entries of a map, in file order; `allowed` (when given) are the only keys accepted.
    public func mapping(allowed: [String]? = nil) throws(ConfigError) -> ConfigMap {
        guard case .mapping(let mapping) = node else {
            if isNull { return ConfigMap(entries: [], node: self) }
            throw error("expected a map of keys to values, found \(kind)")
        }
        var entries: [(String, ConfigNode)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw ConfigError(file: file, line: keyNode.mark?.line, key: path, message: "keys must be plain names")
            }
            let key = keyScalar.string
            let child = ConfigNode(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
            if let allowed, !allowed.contains(key) {
                let suggestion = Spelling.closest(to: key, in: allowed).map { " (did you mean `\($0)`?)" } ?? ""
                let known = allowed.isEmpty ? "it takes no options" : "known keys here: \(allowed.joined(separator: ", "))"
                throw ConfigError(
                    file: file, line: keyNode.mark?.line ?? child.line, key: child.path,
                    message: "unknown key `\(key)`\(suggestion); \(known)")
            }
            entries.append((key, child))
        }
        return ConfigMap(entries: entries, node: self)
    }

    /// The value quoted for an error message.
    func describe() -> String {
        if case .scalar(let scalar) = node { return isNull ? "nothing" : "\"\(scalar.string)\"" }
        return kind
    }
}

/// A YAML map's entries in file order, looked up by key.
public struct ConfigMap {
    public let entries: [(key: String, value: ConfigNode)]
    /// The map itself, for errors about the map as a whole.
    public let node: ConfigNode

    public subscript(key: String) -> ConfigNode? {
        entries.first { $0.key == key }?.value
    }

    public func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let value = self[key] else { throw node.error("missing key `\(key)`") }
        return value
    }

    public var keys: [String] { entries.map(\.key) }
}
