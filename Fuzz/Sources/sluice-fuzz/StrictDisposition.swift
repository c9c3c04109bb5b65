/// A strict reader of the Content-Disposition values Sluice writes (RFC 6266 with RFC 9110
/// quoted-strings and RFC 8187 ext-values), written apart from the builder so that the two check
/// each other: any deviation from the grammar is an error, not a guess.
///
///     disposition-type *( OWS ";" OWS parameter )
///     parameter = token "=" ( token / quoted-string )  /  token "*" "=" ext-value
///     ext-value = charset "'" [ language ] "'" *( attr-char / "%" HEXDIG HEXDIG )
struct StrictDisposition {
    var type: String
    /// In order; values of quoted-strings unescaped, ext-values as written.
    var parameters: [(name: String, value: String)] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(_ header: String) throws(Failure) {
        let bytes = Array(header.utf8)
        var i = 0
        func token() -> String {
            let start = i
            while i < bytes.count, Self.isToken(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        func spaces() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        type = token()
        guard !type.isEmpty else { throw Failure(description: "no disposition type") }
        while true {
            spaces()
            guard i < bytes.count else { break }
            guard bytes[i] == UInt8(ascii: ";") else { throw Failure(description: "expected ; at byte \(i)") }
            i += 1
            spaces()
            let name = token()
            guard !name.isEmpty else { throw Failure(description: "no parameter name at byte \(i)") }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw Failure(description: "expected = after \(name)") }
            i += 1
            if name.hasSuffix("*") {
                let start = i
                while i < bytes.count, bytes[i] != 0x20, bytes[i] != 0x09, bytes[i] != UInt8(ascii: ";") { i += 1 }
                let value = String(decoding: bytes[start..<i], as: UTF8.self)
                guard Self.isExtValue(Array(bytes[start..<i])) else { throw Failure(description: "\(name) is not an ext-value: \(value)") }
                parameters.append((name, value))
            } else if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                var value: [UInt8] = []
                while true {
                    guard i < bytes.count else { throw Failure(description: "unterminated quoted-string") }
                    let byte = bytes[i]
                    if byte == UInt8(ascii: "\"") { break }
                    if byte == UInt8(ascii: "\\") {
                        guard i + 1 < bytes.count, Self.isQuotedPairChar(bytes[i + 1]) else { throw Failure(description: "bad quoted-pair at byte \(i)") }
                        value.append(bytes[i + 1])
                        i += 2
                        continue
                    }
                    guard Self.isQdtext(byte) else { throw Failure(description: "byte 0x\(String(byte, radix: 16)) in a quoted-string") }
                    value.append(byte)
                    i += 1
                }
                i += 1
                parameters.append((name, String(decoding: value, as: UTF8.self)))
            } else {
                let value = token()
                guard !value.isEmpty else { throw Failure(description: "no value for \(name)") }
                parameters.append((name, value))
            }
        }
    }

    /// `UTF-8''...` decoded to its text; nil for another charset or a bad escape or UTF-8.
    static func decodeExtValue(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        guard let first = bytes.firstIndex(of: UInt8(ascii: "'")),
              let second = bytes[(first + 1)...].firstIndex(of: UInt8(ascii: "'")),
              String(decoding: bytes[..<first], as: UTF8.self).lowercased() == "utf-8" else { return nil }
        var decoded: [UInt8] = []
        var i = second + 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) else { return nil }
                decoded.append(high << 4 | low)
                i += 3
            } else {
                decoded.append(bytes[i])
                i += 1
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    /// charset "'" [ language ] "'" value-chars, charset and language as simple tokens.
    static func isExtValue(_ bytes: [UInt8]) -> Bool {
        let pieces = bytes.split(separator: UInt8(ascii: "'"), maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, !pieces[0].isEmpty, pieces[0].allSatisfy(isAttrChar),
              pieces[1].allSatisfy({ isAttrChar($0) || $0 == UInt8(ascii: "-") }) else { return false }
        let chars = Array(pieces[2])
        var i = 0
        while i < chars.count {
            if chars[i] == UInt8(ascii: "%") {
                guard i + 2 < chars.count, hexValue(chars[i + 1]) != nil, hexValue(chars[i + 2]) != nil else { return false }
                i += 3
            } else {
                guard isAttrChar(chars[i]) else { return false }
                i += 1
            }
        }
        return true
    }

    /// RFC 9110 tchar.
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// RFC 8187 attr-char.
    static func isAttrChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$&+-.^_`|~".utf8.contains(byte)
        }
    }

    /// qdtext without HTAB and obs-text: printable ASCII but `"` and `\`.
    static func isQdtext(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    /// What may follow `\` here: printable ASCII (no HTAB, no obs-text).
    static func isQuotedPairChar(_ byte: UInt8) -> Bool { byte >= 0x20 && byte <= 0x7E }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
