/// One part of a multipart/form-data body, as announced by its headers.
public struct MultipartPart: Sendable, Equatable {
    /// The form field name.
    public var name: String
    /// The client's filename for a file part; nil for a plain field. May be empty (an empty
    /// file input).
    public var filename: String?
    /// The part's Content-Type, as sent.
    public var contentType: String?
    /// Every header of the part, names lowercased.
    public var headers: [(name: String, value: String)]

    public var isFile: Bool { filename != nil }

    public static func == (a: MultipartPart, b: MultipartPart) -> Bool {
        a.name == b.name && a.filename == b.filename && a.contentType == b.contentType
            && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Reads a part's header block (without its final empty line).
    static func parse(_ block: [UInt8]) throws(MultipartError) -> MultipartPart {
        // Browsers send raw UTF-8 (filenames included); fall back to Latin-1 for anything else.
        let text = String(validating: block, as: UTF8.self) ?? String(block.map { Character(Unicode.Scalar($0)) })
        var headers: [(name: String, value: String)] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                // An obsolete folded line continues the previous header.
                guard !headers.isEmpty else { throw MultipartError("a part's headers start with a continuation line") }
                headers[headers.count - 1].value += " " + line.trimmingCharacters()
                continue
            }
            guard let colon = line.firstIndex(of: ":"), MediaType.isToken(line[..<colon]) else {
                throw MultipartError("a part has a broken header line: \"\(line.prefix(80))\"")
            }
            headers.append((String(line[..<colon]).lowercased(), line[line.index(after: colon)...].trimmingCharacters()))
        }
        guard headers.count <= 32 else { throw MultipartError("a part has more than 32 headers") }
        guard let disposition = headers.first(where: { $0.name == "content-disposition" })?.value else {
            throw MultipartError("a part has no Content-Disposition header")
        }
        let kind = disposition.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters().lowercased() } ?? ""
        guard kind == "form-data" else {
            throw MultipartError("a part's Content-Disposition is \"\(kind)\", not form-data")
        }
        let parameters = HeaderParameters.parse(disposition)
        guard let name = parameters["name"], !name.isEmpty else {
            throw MultipartError("a part has no name (Content-Disposition: form-data; name=\"...\")")
        }
        let filename = parameters["filename*"].flatMap(decodeExtended) ?? parameters["filename"].map(decodeFilename)
        return MultipartPart(name: name, filename: filename, contentType: headers.first { $0.name == "content-type" }?.value, headers: headers)
    }

    /// Browsers escape `"`, CR and LF in filenames as %22, %0D, %0A (HTML's form encoding);
    /// some other clients percent-encode the whole UTF-8 name. The second is only assumed when
    /// the name is ASCII and decodes to valid UTF-8 with non-ASCII in it, so "100%.txt" and
    /// "%41.txt" stay as they are.
    static func decodeFilename(_ raw: String) -> String {
        if raw.unicodeScalars.allSatisfy(\.isASCII), let decoded = percentDecoded(raw), !decoded.unicodeScalars.allSatisfy(\.isASCII) {
            return decoded
        }
        return raw.replacingAll("%22", with: "\"").replacingAll("%0D", with: "\r").replacingAll("%0A", with: "\n")
    }

    /// RFC 8187 `UTF-8''caf%C3%A9.txt`.
    static func decodeExtended(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "utf-8" else { return nil }
        return percentDecoded(String(parts[2]))
    }

    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
