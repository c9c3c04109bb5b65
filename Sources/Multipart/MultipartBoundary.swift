/// The boundary of a multipart/form-data Content-Type.
public enum MultipartBoundary {
    /// `multipart/form-data; boundary=----WebKitFormBoundaryX` gives `----WebKitFormBoundaryX`.
    public static func parse(contentType: String?) throws(MultipartError) -> String {
        guard let contentType, isFormData(contentType) else {
            throw MultipartError("the Content-Type must be multipart/form-data, not \(contentType.map { "\"\($0)\"" } ?? "missing")")
        }
        let parameters = HeaderParameters.parse(contentType)
        guard let boundary = parameters["boundary"], !boundary.isEmpty else {
            throw MultipartError("the Content-Type has no boundary parameter")
        }
        // RFC 2046: 1 to 70 characters from a fixed set, not ending in a space.
        guard boundary.utf8.count <= 70, boundary.utf8.allSatisfy(isBoundaryByte), !boundary.hasSuffix(" ") else {
            throw MultipartError("the boundary \"\(boundary)\" is not valid (1 to 70 letters, digits and '()+_,-./:=? )")
        }
        return boundary
    }

    /// RFC 2046's `bchars`: digits, ASCII letters and `'()+_,-./:=?` and space.
    static func isBoundaryByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: "'()+_,-./:=? ".utf8.contains(byte)
        }
    }

    /// Whether the type before any parameters is multipart/form-data, in any ASCII case.
    static func isFormData(_ contentType: String) -> Bool {
        let type = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }.drop { $0 == 0x20 || $0 == 0x09 }
        let expected = "multipart/form-data".utf8
        let trimmed = type.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
        // ASCII letters only are folded: other bytes must match as sent.
        return trimmed.count == expected.count && zip(trimmed, expected).allSatisfy { ($0 | ($0 >= 0x41 && $0 <= 0x5A ? 0x20 : 0)) == $1 }
    }
}
