/// The headers an object is stored with. A sink may need them before the first byte, so the
/// chain seals them when it hands over the first byte.
public struct ObjectHead: Sendable, Equatable {
    public var contentType: String?
    public var contentDisposition: String?
    public var contentEncoding: String?
    /// This object's own metadata (S3's `x-amz-meta-*`), e.g. from an upload token: names are
    /// lowercase tokens, values printable ASCII. The storage's configured metadata comes first.
    public var metadata: [String: String]

    public init(contentType: String? = nil, contentDisposition: String? = nil, contentEncoding: String? = nil, metadata: [String: String] = [:]) {
        self.contentType = contentType
        self.contentDisposition = contentDisposition
        self.contentEncoding = contentEncoding
        self.metadata = metadata
    }
}
