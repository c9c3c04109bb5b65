import Foundation

/// Content-Disposition header values per RFC 6266, with the filename twice: an ASCII fallback
/// for old clients and the exact UTF-8 name (RFC 8187) for the rest.
public enum ContentDisposition {
    /// `attachment; filename="resume.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`.
    /// The name is sanitized first (path parts and control characters removed); with nothing
    /// left, the header carries no filename.
    public static func header(_ disposition: Disposition, filename: String?) -> String {
        guard let name = filename.flatMap(Filename.sanitize) else { return disposition.rawValue }
        return "\(disposition.rawValue); filename=\"\(asciiFallback(name))\"; filename*=UTF-8''\(percentEncoded(name))"
    }

    /// The name in printable ASCII, for a quoted-string: accents dropped where that leaves a
    /// letter (é gives e), other non-ASCII replaced by `_`, quotes and backslashes escaped.
    static func asciiFallback(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isASCII {
                if character == "\"" || character == "\\" { out.append("\\") }
                out.append(character)
                continue
            }
            let stripped = String(character).decomposedStringWithCompatibilityMapping.unicodeScalars
                .filter { $0.isASCII && $0.properties.generalCategory != .nonspacingMark }
            if !stripped.isEmpty, stripped.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil }) {
                out.unicodeScalars.append(contentsOf: stripped)
            } else {
                out.append("_")
            }
        }
        return out
    }

    /// RFC 8187 value-chars: attr-char as is, every other UTF-8 byte as %XX.
    static func percentEncoded(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            if isAttrChar(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func isAttrChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$&+-.^_`|~".utf8.contains(byte)
        }
    }
}
