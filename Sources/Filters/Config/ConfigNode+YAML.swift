import Yams

extension ConfigNode {
    /// The root of a YAML document, or nil for an empty one; `file` names it in errors, and
    /// `path` is the key its root stands for (e.g. a chain's name).
    public static func parse(yaml: String, file: String, path: String = "") throws(ConfigError) -> ConfigNode? {
        do {
            return try Yams.compose(yaml: yaml).map { ConfigNode(node: $0, path: path, file: file) }
        } catch {
            throw describe(yamlError: error, file: file)
        }
    }

    /// Yams' error, with the line it names.
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
