/// One filter's options from config, read by its definition's `build`. Every getter checks the
/// type and throws a ``ConfigError`` that names the file, line and key; keys the definition did
/// not document are refused before `build` runs.
public struct FilterOptions {
    let map: ConfigMap

    /// The options map itself, for errors about the filter as a whole.
    public var node: ConfigNode { map.node }

    public func has(_ key: String) -> Bool { map[key] != nil }

    public func string(_ key: String) throws(ConfigError) -> String? {
        try map[key].map { node throws(ConfigError) in try node.string() }
    }

    public func string(_ key: String, default value: String) throws(ConfigError) -> String {
        try string(key) ?? value
    }

    /// One of a fixed set of words, e.g. `mismatch: reject | use-sniffed`.
    public func choice(_ key: String, _ choices: [String], default value: String) throws(ConfigError) -> String {
        guard let node = map[key] else { return value }
        let word = try node.string()
        guard choices.contains(word) else {
            throw node.error("\"\(word)\" is not one of: \(choices.joined(separator: ", "))")
        }
        return word
    }

    public func int(_ key: String, in range: ClosedRange<Int>, default value: Int) throws(ConfigError) -> Int {
        try map[key].map { node throws(ConfigError) in try node.int(in: range) } ?? value
    }

    public func bool(_ key: String, default value: Bool) throws(ConfigError) -> Bool {
        try map[key].map { node throws(ConfigError) in try node.bool() } ?? value
    }

    public func size(_ key: String) throws(ConfigError) -> Int64? {
        try map[key].map { node throws(ConfigError) in try node.size() }
    }

    public func strings(_ key: String) throws(ConfigError) -> [String]? {
        try map[key].map { node throws(ConfigError) in try node.strings() }
    }

    /// A list of media type patterns (`image/png`, `image/*`), each checked.
    public func typePatterns(_ key: String) throws(ConfigError) -> [MediaTypePattern]? {
        guard let node = map[key] else { return nil }
        let texts = try node.strings()
        var patterns: [MediaTypePattern] = []
        for (i, text) in texts.enumerated() {
            do {
                patterns.append(try MediaTypePattern(text))
            } catch {
                let item = (try? node.list()).map { $0[i] } ?? node
                throw item.error(error.message)
            }
        }
        return patterns
    }

    /// An error about one option, for checks the getters do not cover.
    public func error(_ key: String, _ message: String) -> ConfigError {
        (map[key] ?? map.node).error(message)
    }
}
