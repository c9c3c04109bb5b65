import Checksums

/// Percent-encoding as SigV4 and S3 want it: every byte but the RFC 3986 unreserved characters
/// (A-Z a-z 0-9 - . _ ~) as %XX, uppercase hex. S3 encodes object key paths once, keeping `/`.
enum URIEncoding {
    /// One query name or value, or one path segment.
    static func encode(_ text: String) -> String {
        encode(text, keepSlash: false)
    }

    /// A whole path (e.g. an object key), keeping `/` as the separator.
    static func encodePath(_ path: String) -> String {
        encode(path, keepSlash: true)
    }

    private static func encode(_ text: String, keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// `name=value&...` sorted by encoded name then value; a nil value is written `name=`.
    static func canonicalQuery(_ items: [(name: String, value: String?)]) -> String {
        items.map { (encode($0.name), encode($0.value ?? "")) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }
}
