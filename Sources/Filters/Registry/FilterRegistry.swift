/// Filters by config name. Config files name filters; the registry builds them. Register your
/// own filter here and config files can use it like a built-in one.
///
/// ```swift
/// var registry = FilterRegistry.standard
/// registry.register(FilterDefinition(name: "deny-word", summary: "...", options: [...]) { options in
///     let word = try options.string("word", default: "secret")
///     return FilterStep(name: "deny-word") { DenyWord(word: word) }
/// })
/// let chain = try registry.chain(named: "notes", yaml: "- size-limit: { max: 1MiB }\n- deny-word: { word: secret }")
/// ```
public struct FilterRegistry: Sendable {
    private var definitions: [String: FilterDefinition] = [:]
    /// Names in registration order, for listings.
    public private(set) var names: [String] = []

    public init() {}

    /// Adds a filter, or replaces the one registered under the same name.
    public mutating func register(_ definition: FilterDefinition) {
        if definitions[definition.name] == nil { names.append(definition.name) }
        definitions[definition.name] = definition
    }

    public subscript(name: String) -> FilterDefinition? { definitions[name] }

    public var all: [FilterDefinition] { names.compactMap { definitions[$0] } }

    /// Builds a chain step from `{name: options}` in config.
    public func step(named name: String, options node: ConfigNode, nameLine: Int?) throws(ConfigError) -> FilterStep {
        guard let definition = definitions[name] else {
            let suggestion = Spelling.closest(to: name, in: names).map { " (did you mean `\($0)`?)" } ?? ""
            throw ConfigError(
                file: node.file, line: nameLine ?? node.line, key: node.path,
                message: "unknown filter `\(name)`\(suggestion); registered filters: \(names.joined(separator: ", "))")
        }
        let map = try node.mapping(allowed: definition.options.map(\.name))
        do {
            var step = try definition.build(FilterOptions(map: map))
            step.name = name
            return step
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: node.file, line: nameLine ?? node.line, key: node.path, message: "\(error)")
        }
    }
}
