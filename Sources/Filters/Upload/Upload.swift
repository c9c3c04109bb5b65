/// Everything known about one upload as it flows: what the client declared, what the filters
/// found and decided, and the counts. Filters read and set it; sinks read it.
public struct Upload: Sendable, Equatable {
    // What the client declared.
    /// The Content-Type the client claimed, as sent (parameters and all), or nil.
    public var declaredType: String?
    /// The client's filename, as sent (sanitize before use: see ``safeFilename``).
    public var filename: String?
    /// The form field the file came in, for multipart uploads.
    public var field: String?
    /// The length the client announced, when it did.
    public var declaredLength: Int64?

    // What the filters decided.
    /// The type libmagic found, set by `magic`.
    public var sniffedType: String?
    /// The object's headers; final before a sink receives a byte.
    public var head: ObjectHead
    /// `inline` or `attachment`, set with the Content-Disposition header.
    public var disposition: Disposition?
    /// Digests by algorithm, in the order they were configured.
    public var digests: Digests
    /// Facts a filter wants reported, e.g. a scanner's verdict: listed under `attributes` in
    /// the server's answer and in `filterctl test`'s report.
    public var attributes: [String: String]

    // Counts, kept by the chain.
    /// Bytes that entered the chain.
    public var bytesIn: Int64
    /// Bytes that left the chain for the sink.
    public var bytesOut: Int64

    public init(
        declaredType: String? = nil, filename: String? = nil, field: String? = nil,
        declaredLength: Int64? = nil
    ) {
        self.declaredType = declaredType
        self.filename = filename
        self.field = field
        self.declaredLength = declaredLength
        self.sniffedType = nil
        self.head = ObjectHead()
        self.disposition = nil
        self.digests = Digests()
        self.attributes = [:]
        self.bytesIn = 0
        self.bytesOut = 0
    }

    /// The declared filename without path parts or control characters, or nil if nothing is left.
    public var safeFilename: String? { filename.flatMap(Filename.sanitize) }

    public var contentType: String? {
        get { head.contentType }
        set { head.contentType = newValue }
    }

    public var contentDisposition: String? {
        get { head.contentDisposition }
        set { head.contentDisposition = newValue }
    }

    public var contentEncoding: String? {
        get { head.contentEncoding }
        set { head.contentEncoding = newValue }
    }
}

/// How a browser should present the object when it is opened from its URL.
public enum Disposition: String, Sendable, Equatable {
    case inline
    case attachment
}
