@testable import Filters

/// MediaType (essence, canonical, the fit rules of MediaType+Compatibility) and
/// MediaTypePattern on arbitrary text: two types (claimed, sniffed) and a pattern, separated by
/// NUL bytes.
///
/// Invariants: no crash; an essence is `token/token` in lowercase ASCII, and taking it again
/// changes nothing (likewise canonical); a type fits itself exactly when it parses; a pattern
/// prints as text that parses back to the same pattern, and matches the types it names.
enum MediaTypeTarget: FuzzTarget {
    static let name = "media-type"

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let claimed = String(decoding: input.field(), as: UTF8.self)
        let sniffed = String(decoding: input.field(), as: UTF8.self)
        let patternText = String(decoding: input.rest(), as: UTF8.self)

        for text in [claimed, sniffed, patternText] {
            let essence = MediaType.essence(text)
            if let essence {
                let parts = essence.split(separator: "/", omittingEmptySubsequences: false)
                Invariant.check(
                    "essence-form", parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(isLowercaseToken) },
                    "essence of \(text.debugDescription) is \(essence.debugDescription)")
                Invariant.check("essence-idempotent", MediaType.essence(essence) == essence, "essence of \(essence.debugDescription) is not itself")
                Invariant.check(
                    "essence-ascii", asciiEssence(text) == essence,
                    "\(text.debugDescription) has the essence \(essence.debugDescription) only through non-ASCII characters")
            }
            let canonical = MediaType.canonical(text)
            Invariant.check("canonical-idempotent", canonical.flatMap(MediaType.canonical) == canonical, "canonical of \(text.debugDescription) changes again")
            Invariant.check(
                "fits-itself", MediaType.fits(claimed: text, sniffed: text) == (canonical != nil),
                "\(text.debugDescription) fits itself: \(MediaType.fits(claimed: text, sniffed: text)), canonical \(canonical.debugDescription)")
            _ = MediaType.isTextual(text)
            _ = MediaType.isActive(text)
            _ = MediaType.isGeneric(essence)
            let guessed = MediaType.forFilename(text)
            Invariant.check("for-filename", MediaType.essence(guessed) != nil, "forFilename(\(text.debugDescription)) gave \(guessed.debugDescription)")
        }
        for generic in [true, false] {
            _ = MediaType.fits(claimed: claimed, sniffed: sniffed, genericFitsAll: generic)
            _ = MediaType.fits(claimed: nil, sniffed: sniffed, genericFitsAll: generic)
        }

        guard let pattern = try? MediaTypePattern(patternText) else { return }
        let printed = pattern.description
        let again = try? MediaTypePattern(printed)
        Invariant.check("pattern-round-trip", again == pattern, "\(patternText.debugDescription) prints as \(printed.debugDescription), which parses to \(String(describing: again))")
        _ = pattern.matches(claimed)
        _ = [pattern].matches(sniffed)
        if pattern.type != "*", let subtype = pattern.subtype {
            let example = "\(pattern.type)/\(subtype)\(pattern.isPrefix ? "x" : "")"
            Invariant.check("pattern-matches", pattern.matches(example), "\(printed) does not match \(example)")
        }
        if pattern.type == "*" {
            Invariant.check("pattern-any", pattern.matches(claimed) == (MediaType.essence(claimed) != nil), "*/* and \(claimed.debugDescription)")
        }
    }

    static func isLowercaseToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// The essence by RFC 9110 alone (but trimmed as `essence` trims, Unicode spaces too): ASCII
    /// letters lowercased, both halves tokens.
    static func asciiEssence(_ text: String) -> String? {
        let bare = text.utf8.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let lowered = Array(String(decoding: bare, as: UTF8.self).trimmingSpaces().utf8).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let parts = lowered.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isLowercaseToken) }) else { return nil }
        return String(decoding: lowered, as: UTF8.self)
    }
}
