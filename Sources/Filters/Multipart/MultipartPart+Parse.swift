#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension MultipartPart {
    /// Reads a part's header block (without its final empty line). Works on the bytes: only
    /// the values an upload needs become Strings.
    /// Throws MultipartError.
    static func parse(_ block: UnsafeRawBufferPointer) throws -> MultipartPart {
        try browserHead(block) ?? parseFields(block)
    }

    /// Any header block: each field in turn, folded lines joined, parameters unescaped.
    static func parseFields(_ block: UnsafeRawBufferPointer) throws -> MultipartPart {
        let raw = try PartHeaders.unfolded(Array(block))
        return try raw.withUnsafeBytes { (block) throws(MultipartError) -> MultipartPart in
            var disposition: UnsafeRawBufferPointer?
            var contentType: UnsafeRawBufferPointer?
            try PartHeaders.forEachField(in: block) { name, value in
                if disposition == nil, PartHeaders.equalsIgnoringCase(name, "content-disposition") { disposition = value }
                if contentType == nil, PartHeaders.equalsIgnoringCase(name, "content-type") { contentType = value }
            }
            guard let disposition else { throw MultipartError("a part has no Content-Disposition header") }
            let kindEnd = disposition.firstIndex(of: UInt8(ascii: ";")) ?? disposition.count
            let kind = PartHeaders.trimmed(UnsafeRawBufferPointer(rebasing: disposition[..<kindEnd]))
            guard PartHeaders.equalsIgnoringCase(kind, "form-data") else {
                throw MultipartError("a part's Content-Disposition is \"\(PartHeaders.text(kind).lowercased())\", not form-data")
            }
            var name: String?, filename: String?, extended: String?
            HeaderParameters.forEach(in: disposition) { parameter, value in
                if PartHeaders.equalsIgnoringCase(parameter, "name") {
                    if name == nil { name = PartHeaders.text(value) }
                } else if PartHeaders.equalsIgnoringCase(parameter, "filename") {
                    if filename == nil { filename = PartHeaders.text(value) }
                } else if PartHeaders.equalsIgnoringCase(parameter, "filename*") {
                    if extended == nil { extended = PartHeaders.text(value) }
                }
            }
            guard let name, !name.isEmpty else {
                throw MultipartError("a part has no name (Content-Disposition: form-data; name=\"...\")")
            }
            return MultipartPart(
                name: name,
                filename: extended.flatMap(decodeExtended) ?? filename.map(decodeFilename),
                contentType: contentType.map(PartHeaders.text),
                rawHeaders: raw
            )
        }
    }

    /// The head every browser sends, byte for byte: `Content-Disposition: form-data;
    /// name="..."`, then `; filename="..."` for a file, then a `Content-Type` line, with ASCII
    /// values free of escapes and `%`. Read with a few compares; nil for anything else, which
    /// `parseFields` reads (and which reads these heads the same way, only slower: it cost
    /// more than the rest of a 10 KiB part's parsing).
    static func browserHead(_ block: UnsafeRawBufferPointer) -> MultipartPart? {
        guard let base = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let end = block.count
        var i = 0
        func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard end - i >= count, memcmp(base + i, text.utf8Start, count) == 0 else { return false }
            i += count
            return true
        }
        /// A quoted value up to its closing quote: printable ASCII without `\` or `%`.
        func quoted() -> String? {
            let start = i
            while i < end, base[i] != 0x22 {
                let byte = base[i]
                guard byte >= 0x20, byte < 0x7F, byte != 0x5C, byte != 0x25 else { return nil }
                i += 1
            }
            guard i < end, i > start else { return nil }
            defer { i += 1 }
            return String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        }
        guard literal("Content-Disposition: form-data; name=\""), let name = quoted() else { return nil }
        var filename: String?
        if literal("; filename=\"") {
            guard let value = quoted() else { return nil }
            filename = value
        }
        var contentType: String?
        if i < end {
            guard literal("\r\nContent-Type: ") else { return nil }
            let start = i
            while i < end {
                let byte = base[i]
                guard byte > 0x20, byte < 0x7F else { return nil }
                i += 1
            }
            guard i > start else { return nil }
            contentType = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        }
        return MultipartPart(name: name, filename: filename, contentType: contentType, rawHeaders: Array(block))
    }

    /// Browsers escape `"`, CR and LF in filenames as %22, %0D, %0A (HTML's form encoding);
    /// some other clients percent-encode the whole UTF-8 name. The second is only assumed when
    /// the name is ASCII and decodes to valid UTF-8 with non-ASCII in it, so "100%.txt" and
    /// "%41.txt" stay as they are.
    static func decodeFilename(_ raw: String) -> String {
        var raw = raw
        guard raw.withUTF8({ $0.count > 0 && memchr($0.baseAddress!, Int32(UInt8(ascii: "%")), $0.count) != nil }) else { return raw }
        if raw.utf8.allSatisfy({ $0 < 0x80 }), let decoded = percentDecoded(raw), !decoded.utf8.allSatisfy({ $0 < 0x80 }) {
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
