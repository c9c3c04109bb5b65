/// One part of a multipart/form-data body, as announced by its headers.
public struct MultipartPart: Sendable, Equatable {
    /// The form field name.
    public var name: String
    /// The client's filename for a file part; nil for a plain field. May be empty (an empty
    /// file input).
    public var filename: String?
    /// The part's Content-Type, as sent.
    public var contentType: String?
    /// The header block as received (folded lines joined), without its final empty line.
    public var rawHeaders: [UInt8]

    public var isFile: Bool { filename != nil }

    /// Every header of the part, names lowercased, folded lines joined. Read from `rawHeaders`
    /// on demand: an upload needs only the three values above, and thousands of small parts
    /// should not each pay for the rest.
    public var headers: [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        rawHeaders.withUnsafeBytes { block in
            try? PartHeaders.forEachField(in: block) { name, value in
                headers.append((PartHeaders.text(name).lowercased(), PartHeaders.text(value)))
            }
        }
        return headers
    }

    public init(name: String, filename: String? = nil, contentType: String? = nil, rawHeaders: [UInt8] = []) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.rawHeaders = rawHeaders
    }
}
