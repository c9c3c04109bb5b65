/// What a filter needs and does, so that a chain can refuse an order that cannot work.
public struct FilterTraits: Sendable, Equatable {
    /// Metadata the filter decides from; a filter later in the chain must not set it.
    public var reads: Set<UploadField>
    /// Metadata the filter sets.
    public var writes: Set<UploadField>
    /// The filter changes the bytes (compression): later filters see its output.
    public var transformsBytes: Bool
    /// The filter must see the bytes as the client sent them (content sniffing).
    public var needsOriginalBytes: Bool
    /// Names of the digests it sets; two steps must not set the same one.
    public var digests: [String]

    public init(
        reads: Set<UploadField> = [], writes: Set<UploadField> = [],
        transformsBytes: Bool = false, needsOriginalBytes: Bool = false, digests: [String] = []
    ) {
        self.reads = reads
        self.writes = writes
        self.transformsBytes = transformsBytes
        self.needsOriginalBytes = needsOriginalBytes
        self.digests = digests
    }

    public static let none = FilterTraits()
}

/// The pieces of an upload's metadata whose order of setting matters.
public enum UploadField: String, Sendable, Hashable, CaseIterable {
    case sniffedType
    case contentType
    case contentDisposition
    case contentEncoding
    case digests
}
