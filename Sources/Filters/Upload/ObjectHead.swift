/// The headers an object is stored with. A sink may need them before the first byte, so the
/// chain seals them when it hands over the first byte.
public struct ObjectHead: Sendable, Equatable {
    public var contentType: String?
    public var contentDisposition: String?
    public var contentEncoding: String?

    public init(contentType: String? = nil, contentDisposition: String? = nil, contentEncoding: String? = nil) {
        self.contentType = contentType
        self.contentDisposition = contentDisposition
        self.contentEncoding = contentEncoding
    }
}
