/// A pattern over media types as written in config: `image/png`, `image/*`, `*/*`, or a
/// subtype prefix such as `application/vnd.oasis.opendocument.*`.
public struct MediaTypePattern: Sendable, Hashable, CustomStringConvertible {
    public let type: String
    /// nil for `*`.
    public let subtype: String?
    /// The subtype is a prefix (written with a trailing `*`).
    public let isPrefix: Bool

    /// Parses a pattern; throws a message that says what is wrong.
    public init(_ text: String) throws(MediaTypePatternError) {
        let lowered = MediaType.lowercasedASCII(text.trimmingSpaces())
        if lowered == "*" || lowered == "*/*" {
            type = "*"
            subtype = nil
            isPrefix = false
            return
        }
        let parts = lowered.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !lowered.contains(";"), !lowered.contains(" ") else {
            throw MediaTypePatternError("\"\(text)\" is not a type pattern (write type/subtype, type/* or */*, without parameters)")
        }
        let (top, sub) = (String(parts[0]), String(parts[1]))
        guard MediaType.isToken(top), top != "*" else {
            throw MediaTypePatternError("\"\(text)\" is not a type pattern (the type before / must be a name, e.g. image/*)")
        }
        guard MediaType.topLevelTypes.contains(top) else {
            let known = MediaType.topLevelTypes.sorted().joined(separator: ", ")
            throw MediaTypePatternError("\"\(text)\": unknown top-level type \"\(top)\" (known: \(known))")
        }
        if sub == "*" {
            type = top
            subtype = nil
            isPrefix = false
            return
        }
        guard MediaType.isToken(sub), !sub.dropLast().contains("*") else {
            throw MediaTypePatternError("\"\(text)\" is not a type pattern (the subtype must be a name, * or a prefix ending in *)")
        }
        if sub.hasSuffix("*") {
            type = top
            subtype = String(sub.dropLast())
            isPrefix = true
            return
        }
        isPrefix = false
        // Aliases resolve here too, so `image/jpg` in config means image/jpeg.
        let canonical = (MediaType.aliases["\(top)/\(sub)"] ?? "\(top)/\(sub)").split(separator: "/")
        type = String(canonical[0])
        subtype = String(canonical[1])
    }

    /// Whether a media type falls under the pattern, as written or under its canonical name
    /// (so `text/*` covers text/xml, and `application/xml` covers it too).
    public func matches(_ mediaType: String) -> Bool {
        guard let essence = MediaType.essence(mediaType) else { return false }
        if type == "*" { return true }
        return matchesEssence(essence) || MediaType.aliases[essence].map(matchesEssence) == true
    }

    private func matchesEssence(_ essence: String) -> Bool {
        let parts = essence.split(separator: "/", maxSplits: 1)
        guard parts[0] == type else { return false }
        guard let subtype else { return true }
        return isPrefix ? parts[1].hasPrefix(subtype) : parts[1] == subtype
    }

    public var description: String { "\(type)/\(subtype ?? "")\(subtype == nil || isPrefix ? "*" : "")" }

    public static func parseList(_ texts: [String]) throws(MediaTypePatternError) -> [MediaTypePattern] {
        var patterns: [MediaTypePattern] = []
        for text in texts { patterns.append(try MediaTypePattern(text)) }
        return patterns
    }
}

extension Array where Element == MediaTypePattern {
    public func matches(_ mediaType: String) -> Bool { contains { $0.matches(mediaType) } }
}

public struct MediaTypePatternError: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
