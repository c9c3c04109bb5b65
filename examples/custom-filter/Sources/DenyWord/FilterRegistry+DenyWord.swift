import Filters

extension FilterRegistry {
    /// The standard filters and `deny-word`: what both programs of this build know.
    public static var withDenyWord: FilterRegistry {
        var registry = FilterRegistry.standard
        registry.register(DenyWordFilter.definition)
        return registry
    }
}
