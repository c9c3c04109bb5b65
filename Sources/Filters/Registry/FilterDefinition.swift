/// A filter as the registry knows it: its config name, its documentation, and how to build a
/// chain step from its options.
public struct FilterDefinition: Sendable {
    public var name: String
    public var summary: String
    public var options: [Option]
    /// Builds the step; a ``ConfigError`` from the option getters names its key, any other
    /// error is reported at the filter's line.
    public var build: @Sendable (FilterOptions) throws -> FilterStep

    /// One documented option, as `filterctl filters` lists it.
    public struct Option: Sendable {
        public var name: String
        /// What to write, e.g. `size`, `list of type patterns`, `reject | use-sniffed`.
        public var type: String
        /// The default, as written in config; nil when the option is required or has none.
        public var defaultValue: String?
        public var summary: String

        public init(_ name: String, _ type: String, default defaultValue: String? = nil, _ summary: String) {
            self.name = name
            self.type = type
            self.defaultValue = defaultValue
            self.summary = summary
        }
    }

    public init(
        name: String, summary: String, options: [Option] = [],
        build: @escaping @Sendable (FilterOptions) throws -> FilterStep
    ) {
        self.name = name
        self.summary = summary
        self.options = options
        self.build = build
    }
}
