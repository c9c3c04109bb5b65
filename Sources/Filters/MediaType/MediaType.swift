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
        let bare = raw.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = lowercasedASCII(String(bare).trimmingSpaces())
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isToken(parts[0]), isToken(parts[1]) else { return nil }
        return trimmed
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

    package static func isToken<S: StringProtocol>(_ s: S) -> Bool {
        // RFC 9110 token characters.
        !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            switch c {
            case "a"..."z", "A"..."Z", "0"..."9": true
            case "!", "#", "$", "%", "&", "'", "*", "+", "-", ".", "^", "_", "`", "|", "~": true
            default: false
            }
        }
    }
}
