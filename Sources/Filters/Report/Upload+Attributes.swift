extension Upload {
    /// ``attributes`` as a JSON object sorted by name, or nil when no filter set any.
    public var attributesJSON: JSON? {
        attributes.isEmpty ? nil : .object(attributes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }
}
