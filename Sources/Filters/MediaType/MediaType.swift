/// Media type strings: parsing and the canonical form Sluice compares.
public enum MediaType {
    public static let octetStream = "application/octet-stream"

    /// The top-level types of the IANA registry.
    static let topLevelTypes: Set<String> = [
        "application", "audio", "example", "font", "haptics", "image", "message", "model", "multipart", "text", "video",
    ]

    /// `type/subtype` lowercased, without parameters or spaces; nil if it is not a media type.
    /// "Text/Plain; charset=utf-8" gives "text/plain".
    public static func essence(_ raw: String) -> String? {
        if let essence = asciiEssence(raw.utf8) { return essence }
        return unicodeEssence(raw)
    }

    /// ``essence(_:)`` of any text, by Characters.
    static func unicodeEssence(_ raw: String) -> String? {
        let bare = raw.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = lowercasedASCII(String(bare).trimmingSpaces())
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isToken(parts[0]), isToken(parts[1]) else { return nil }
        return trimmed
    }

    /// ``essence(_:)`` in one pass over the bytes, for text that is ASCII up to its `;` and
    /// just after it (every type a client or libmagic sends, five times per upload); nil for
    /// any other, which ``unicodeEssence(_:)`` answers. The result is `.some(nil)` for ASCII
    /// that is not a media type.
    static func asciiEssence(_ raw: String.UTF8View) -> String?? {
        let end = raw.firstIndex(of: UInt8(ascii: ";")) ?? raw.endIndex
        // A mark after the `;` would join it into one Character, which the split above keeps.
        if end != raw.endIndex, raw[raw.index(after: end)...].first.map({ $0 >= 0x80 }) == true { return nil }
        let bare = raw[..<end]
        guard !bare.contains(where: { $0 >= 0x80 }) else { return nil }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        guard let first = bare.firstIndex(where: { !isSpace($0) }), let last = bare.lastIndex(where: { !isSpace($0) }) else { return .some(nil) }
        let trimmed = bare[first...last]
        var slashes = 0
        for byte in trimmed {
            if byte == UInt8(ascii: "/") { slashes += 1 } else if !isTokenByte(byte) { return .some(nil) }
        }
        guard slashes == 1, trimmed.first != UInt8(ascii: "/"), trimmed.last != UInt8(ascii: "/") else { return .some(nil) }
        return .some(String(unsafeUninitializedCapacity: trimmed.count) { buffer in
            for (i, byte) in trimmed.enumerated() { buffer[i] = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
            return trimmed.count
        })
    }

    /// RFC 9110's token characters, as bytes.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// The essence with well-known aliases resolved: "image/jpg" gives "image/jpeg".
    public static func canonical(_ raw: String) -> String? {
        essence(raw).map { aliases[$0] ?? $0 }
    }

    /// True for the absent or generic types that claim nothing about the content.
    public static func isGeneric(_ essence: String?) -> Bool {
        guard let essence else { return true }
        return genericTypes.contains(essence)
    }

    static let genericTypes: Set<String> = [
        "application/octet-stream", "binary/octet-stream", "application/unknown", "application/binary",
        "application/x-binary", "application/force-download", "application/download", "*/*",
    ]

    /// ASCII letters lowercased, nothing else: Unicode case folding would turn the Kelvin sign
    /// into "k" and make a type of text that is not one.
    static func lowercasedASCII(_ text: String) -> String {
        String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// RFC 9110's token: one or more ``isTokenByte(_:)`` (any non-ASCII scalar's bytes are not).
    package static func isToken<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy(isTokenByte)
    }
}
