import Yams

extension FilterRegistry {
    /// Builds a chain from its config: a list of `- name: {options}` entries. Returns the chain
    /// and what `filterctl validate` should point out (legal but worth a second look).
    public func chain(named name: String, _ node: ConfigNode) throws(ConfigError) -> (chain: Chain, warnings: [ConfigError]) {
        let entries = try node.list()
        var steps: [FilterStep] = []
        var warnings: [ConfigError] = []
        for entry in entries {
            let (filterName, options, nameLine) = try FilterRegistry.filterEntry(entry)
            let step = try self.step(named: filterName, options: options, nameLine: nameLine)
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

    /// A chain from its steps written as YAML, e.g. for a filter's tests:
    /// `try registry.chain(named: "t", yaml: "- size-limit: { max: 10 }\n- deny-word: {}")`.
    public func chain(named name: String, yaml: String, file: String = "chain") throws(ConfigError) -> Chain {
        guard let node = try ConfigNode.parse(yaml: yaml, file: file, path: name) else {
            throw ConfigError(file: file, line: nil, key: nil, message: "the chain is empty")
        }
        return try chain(named: name, node).chain
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
}
