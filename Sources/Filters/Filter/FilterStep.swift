/// One configured step of a chain: a filter's name and options, turned into a maker of fresh
/// filters, one per upload.
public struct FilterStep: Sendable {
    /// The filter's registered name, e.g. `magic`.
    public var name: String
    /// What it reads and writes, checked when a chain is built.
    public var traits: FilterTraits
    /// A one-line account of its options, for `filterctl validate`.
    public var summary: String
    /// Things a config author should know, e.g. an unsafe option (shown by `filterctl validate`).
    public var warnings: [String]
    /// Its filter adopts ``ResumableFilter``, so the step can serve a resumable route.
    public let isResumable: Bool
    private let make: @Sendable (Context) -> any Filter

    /// What a fresh filter may depend on: where its step sits, and what uploads share.
    public struct Context: Sendable {
        /// False when an earlier step transforms the bytes (so a declared length does not apply).
        public var seesOriginalBytes: Bool
        /// Helper threads and libmagic handles, owned by whoever runs the chain.
        public var resources: FilterResources

        public init(seesOriginalBytes: Bool = true, resources: FilterResources) {
            self.seesOriginalBytes = seesOriginalBytes
            self.resources = resources
        }
    }

    public init<F: Filter>(
        name: String, traits: FilterTraits = .none, summary: String = "", warnings: [String] = [],
        make: @escaping @Sendable (Context) -> F
    ) {
        self.init(name: name, traits: traits, summary: summary, warnings: warnings, isResumable: F.self is any ResumableFilter.Type, make: make)
    }

    private init(
        name: String, traits: FilterTraits, summary: String, warnings: [String], isResumable: Bool,
        make: @escaping @Sendable (Context) -> any Filter
    ) {
        self.name = name
        self.traits = traits
        self.summary = summary
        self.warnings = warnings
        self.isResumable = isResumable
        self.make = make
    }

    /// A filter that needs nothing from its context.
    public init<F: Filter>(
        name: String, traits: FilterTraits = .none, summary: String = "", warnings: [String] = [],
        make: @escaping @Sendable () -> F
    ) {
        let erased: @Sendable () -> any Filter = make
        self.init(name: name, traits: traits, summary: summary, warnings: warnings, isResumable: F.self is any ResumableFilter.Type) { _ in erased() }
    }

    public func makeFilter(_ context: Context) -> any Filter { make(context) }
}
