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
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".unicodeScalars)
        guard boundary.count <= 70, boundary.unicodeScalars.allSatisfy(allowed.contains), !boundary.hasSuffix(" ") else {
            throw MultipartError("the boundary \"\(boundary)\" is not valid (1 to 70 letters, digits and '()+_,-./:=? )")
        }
        return boundary
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
