/// A well-formed multipart/form-data body built from fuzz bytes the way browsers and common
/// clients write one (optional preamble, transport padding, lowercase or folded headers,
/// RFC 8187 filenames, an epilogue), with the parts a correct reader must find in it.
///
/// Per part, a control byte: bit 0 a file (filename), bit 1 a Content-Type, bits 2-3 the head's
/// style, bit 4 non-ASCII letters in the name and filename, bit 5 transport padding after the
/// delimiter; then the name's and the filename's length and bytes, the type's choice, and the
/// body's length (two bytes) and bytes.
struct GeneratedForm {
    var body: [UInt8] = []
    var expected = MultipartOutcome()

    /// Printable ASCII that a quoted value may hold as is (no `"`, `\`, `%`), then letters that
    /// are several UTF-8 bytes.
    static let asciiAlphabet = Array(" !#$&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~")
    static let wideAlphabet = Array("éüßçÅ日本語文件ёжΩ😀👍🏽")
    static let contentTypes = [
        "text/plain", "image/png", "application/octet-stream", "application/pdf", "text/plain; charset=utf-8",
        "image/svg+xml", "application/x-zip-compressed", "",
    ]

    /// nil when a part's body holds the delimiter: no client could send it.
    init?(boundary: String, input: inout FuzzInput) {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        let layout = input.byte()
        if layout & 1 != 0 { body += Array("This is the preamble. It is to be ignored.\r\n".utf8) }
        body += Array("--\(boundary)".utf8)
        let count = Int(layout >> 1) % 6
        for _ in 0..<count {
            let control = input.byte()
            if control & 0x20 != 0 { body += Array(" \t ".utf8) }
            body += Array("\r\n".utf8)
            let wide = control & 0x10 != 0
            let name = Self.text(&input, wide: wide)
            let filename = control & 1 != 0 ? Self.text(&input, wide: wide, allowEmpty: true) : nil
            let type = control & 2 != 0 ? Self.contentTypes[Int(input.byte()) % Self.contentTypes.count] : nil
            let head = Self.head(style: Int(control >> 2) & 3, name: name, filename: filename, type: type)
            let length = (Int(input.byte()) << 8 | Int(input.byte())) % 4096
            let content = input.take(length)
            if Self.contains(content, delimiter) { return nil }
            body += head.sent + Array("\r\n\r\n".utf8) + content + delimiter
            expected.parts.append(
                .init(name: name, filename: filename, contentType: type, rawHeaders: head.read, body: content, ended: true))
        }
        body += Array("--".utf8)
        if layout & 2 != 0 { body += Array("\r\nThis is the epilogue.\r\n".utf8) } else { body += Array("\r\n".utf8) }
        expected.finished = true
    }

    /// 1 to 12 characters (0 to 12 with `allowEmpty`) with no space at either end.
    static func text(_ input: inout FuzzInput, wide: Bool, allowEmpty: Bool = false) -> String {
        let length = Int(input.byte()) % 13
        var characters = input.take(allowEmpty ? length : Swift.max(length, 1)).map { byte -> Character in
            wide && byte & 0x80 != 0 ? wideAlphabet[Int(byte) % wideAlphabet.count] : asciiAlphabet[Int(byte) % asciiAlphabet.count]
        }
        if characters.first == " " { characters[0] = "_" }
        if characters.last == " " { characters[characters.count - 1] = "_" }
        if characters.isEmpty && !allowEmpty { characters = ["f"] }
        return String(characters)
    }

    /// The head as sent and as the reader keeps it (folded lines joined).
    static func head(style: Int, name: String, filename: String?, type: String?) -> (sent: [UInt8], read: [UInt8]) {
        var sent: String, read: String
        switch style {
        case 0:
            // Byte for byte what browsers send.
            sent = "Content-Disposition: form-data; name=\"\(name)\""
            if let filename { sent += "; filename=\"\(filename)\"" }
            if let type { sent += "\r\nContent-Type: \(type)" }
            read = sent
        case 1:
            // Lowercase names, no spaces, the type first, another header.
            sent = type.map { "content-type:\($0)\r\n" } ?? ""
            sent += "x-client: fuzz\r\ncontent-disposition:FORM-DATA;name=\"\(name)\""
            if let filename { sent += ";filename=\"\(filename)\"" }
            read = sent
        case 2:
            // A folded line (RFC 5322), joined with one space.
            sent = "Content-Disposition: form-data;\r\n\tname=\"\(name)\""
            read = "Content-Disposition: form-data; name=\"\(name)\""
            if let filename {
                sent += ";\r\n filename=\"\(filename)\""
                read += "; filename=\"\(filename)\""
            }
            if let type {
                sent += "\r\nContent-Type:  \(type)"
                read += "\r\nContent-Type:  \(type)"
            }
        default:
            // RFC 8187: an ASCII fallback, then the exact name, every other byte escaped.
            sent = "Content-Disposition: form-data; name=\"\(name)\""
            if let filename { sent += "; filename=\"fallback.bin\"; filename*=utf-8'en'\(percentEncoded(filename))" }
            if let type { sent += "\r\nContent-Type: \(type)" }
            read = sent
        }
        return (Array(sent.utf8), Array(read.utf8))
    }

    /// Every byte but letters and digits as %XX (more than RFC 8187 asks: any escape must decode).
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return out
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
