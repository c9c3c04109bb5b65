extension FilterRegistry {
    /// The built-in filters: size-limit, magic, disposition, hash, gzip.
    public static let standard: FilterRegistry = {
        var registry = FilterRegistry()
        for definition in [
            SizeLimitFilter.definition, MagicFilter.definition, DispositionFilter.definition,
            HashFilter.definition, GzipFilter.definition,
        ] {
            registry.register(definition)
        }
        return registry
    }()
}
