import NIOCore

/// One part of a multipart/form-data body, as announced by its headers.
public struct MultipartPart: Sendable {
    /// The header block as received (folded lines joined), without its final empty line. For
    /// the usual head this is a slice of the buffer it arrived in: no copy, but that buffer
    /// (one socket read, up to 128 KiB in the server) stays alive as long as the part is kept.
    let head: ByteBuffer
    let values: Values

    enum Values: Sendable {
        /// Read field by field: unfolded, unescaped, percent-decoded where needed. (Boxed: it
        /// is the rare case, and unboxed its Strings would make every part twice the size to copy.)
        indirect case decoded(name: String, filename: String?, contentType: String?)
        /// The name, which every reader asks for, and where the other values lie in `head`
        /// (printable ASCII, taken as they are): those become Strings when asked for, so that
        /// thousands of small parts do not each pay for three of them.
        case located(name: String, filename: Range<Int32>?, contentType: Range<Int32>?)
    }

    /// The form field name.
    public var name: String {
        switch values {
        case .decoded(let name, _, _): name
        case .located(let name, _, _): name
        }
    }

    /// The client's filename for a file part; nil for a plain field. May be empty (an empty
    /// file input).
    public var filename: String? {
        switch values {
        case .decoded(_, let filename, _): filename
        case .located(_, let filename, _): filename.map(text)
        }
    }

    /// The part's Content-Type, as sent.
    public var contentType: String? {
        switch values {
        case .decoded(_, _, let contentType): contentType
        case .located(_, _, let contentType): contentType.map(text)
        }
    }

    public var isFile: Bool {
        switch values {
        case .decoded(_, let filename, _): filename != nil
        case .located(_, let filename, _): filename != nil
        }
    }

    /// The header block as received (folded lines joined), without its final empty line.
    public var rawHeaders: [UInt8] { Array(head.readableBytesView) }

    /// Every header of the part, names lowercased, folded lines joined. Read from the header
    /// block on demand: an upload needs only the three values above, and thousands of small
    /// parts should not each pay for the rest.
    public var headers: [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        head.withUnsafeReadableBytes { block in
            try? PartHeaders.forEachField(in: block) { name, value in
                headers.append((PartHeaders.text(name).lowercased(), PartHeaders.text(value)))
            }
        }
        return headers
    }

    public init(name: String, filename: String? = nil, contentType: String? = nil, rawHeaders: [UInt8] = []) {
        self.init(head: ByteBuffer(bytes: rawHeaders), values: .decoded(name: name, filename: filename, contentType: contentType))
    }

    init(head: ByteBuffer, values: Values) {
        self.head = head
        self.values = values
    }

    private func text(_ range: Range<Int32>) -> String {
        head.withUnsafeReadableBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[Int(range.lowerBound)..<Int(range.upperBound)]), as: UTF8.self) }
    }
}

extension MultipartPart: Equatable {
    /// The same values and header block, however they are held.
    public static func == (lhs: MultipartPart, rhs: MultipartPart) -> Bool {
        lhs.name == rhs.name && lhs.filename == rhs.filename && lhs.contentType == rhs.contentType && lhs.head == rhs.head
    }
}
