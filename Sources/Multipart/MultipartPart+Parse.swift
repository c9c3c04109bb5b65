#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

extension MultipartPart {
    /// Reads a part's header block (without its final empty line) field by field. (The usual
    /// head is located by `browserHead` first, where it arrives.)
    /// Throws MultipartError.
    static func parse(_ head: ByteBuffer) throws -> MultipartPart {
        try head.withUnsafeReadableBytes { try parseFields($0) }
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

    /// The head every browser sends, byte for byte, at the start of `bytes` (and the body
    /// after it): `Content-Disposition: form-data; name="..."`, then `; filename="..."` for a
    /// file, then a `Content-Type` line, then the empty line, with printable ASCII values free
    /// of escapes and `%`. Returns the header block's length (without the empty line), the
    /// name, and where the other values lie, found in one pass with a few compares; nil for
    /// anything else, which `parseFields` reads (the same way for these heads, only slower: for
    /// 10 KiB parts it cost more than the rest of a part's parsing, and the search for the
    /// empty line alone cost a sixth of it).
    static func browserHead(in bytes: UnsafeRawBufferPointer) -> (length: Int, values: Values)? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var head = HeadCursor(base: base, end: Swift.min(bytes.count, Int(Int32.max)))  // places are Int32s
        guard head.literal("Content-Disposition: form-data; name=\""), let name = head.value(quoted: true) else { return nil }
        var filename: Range<Int32>?
        if head.literal("; filename=\"") {
            guard let value = head.value(quoted: true) else { return nil }
            filename = value
        }
        var contentType: Range<Int32>?
        if head.literal("\r\nContent-Type: ") {
            guard let value = head.value(quoted: false) else { return nil }
            contentType = value
        }
        let length = head.index
        guard head.literal("\r\n\r\n") else { return nil }
        // The name is read here, while the bytes are at hand: reading them again later cost a
        // runtime exclusivity check inside ByteBuffer, about 80 instructions.
        let nameText = String(decoding: UnsafeBufferPointer(start: base + Int(name.lowerBound), count: name.count), as: UTF8.self)
        return (length, .located(name: nameText, filename: filename, contentType: contentType))
    }

    /// `browserHead`'s place in the bytes. (A struct, not closures over a local index: those
    /// made the index's every access a runtime exclusivity check.)
    private struct HeadCursor {
        let base: UnsafePointer<UInt8>
        let end: Int
        var index = 0

        /// Passes `text` if it comes next.
        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard end - index >= count, memcmp(base + index, text.utf8Start, count) == 0 else { return false }
            index += count
            return true
        }

        /// A non-empty value up to its closing quote (passed), or up to the CR after it.
        mutating func value(quoted: Bool) -> Range<Int32>? {
            let start = index
            index = ValueScan.firstStop(in: base, from: index, to: end, quoted: quoted)
            guard index < end, base[index] == (quoted ? 0x22 : 0x0D), index > start else { return nil }
            defer { if quoted { index += 1 } }
            return Int32(start)..<Int32(index)
        }
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
