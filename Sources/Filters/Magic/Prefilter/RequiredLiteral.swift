/// What a rule's first test cannot match without: one of a few runs of bytes (most often a
/// single one). If the sample holds none of them, the rule cannot match, whatever else its test
/// says. Conservative everywhere: letters are compared without case, and only ASCII counts
/// (libmagic's text pass sees the sample converted to UTF-8, which keeps ASCII runs as they are
/// and changes every other byte).
enum RequiredLiteral {
    /// The alternatives, ASCII letters lowercased, or nil when the test needs no particular
    /// bytes (numbers, negated or ordered relations, patterns without a fixed run).
    static func of(_ rule: CompiledMagicRules.Entry) -> [[UInt8]]? {
        guard rule.relation == UInt8(ascii: "=") else { return nil }
        switch rule.type {
        case CompiledMagicRules.Entry.string, CompiledMagicRules.Entry.search:
            let loose = rule.stringFlags & (CompiledMagicRules.Entry.compactWhitespace | CompiledMagicRules.Entry.optionalWhitespace) != 0
            let literal = longestRun(in: rule.pattern, breakingAtWhitespace: loose)
            return literal.isEmpty ? nil : [literal]
        case CompiledMagicRules.Entry.regex:
            var parser = RegexLiteralParser(rule.pattern)
            let requirement = parser.sequence()
            guard parser.isAtEnd, !requirement.alternatives.isEmpty else { return nil }
            return requirement.alternatives
        default:
            return nil
        }
    }

    /// With `W` or `w`, a blank in the pattern matches any run of blanks (or none): only the
    /// runs between blanks must appear as they are.
    static func longestRun(in pattern: UnsafeRawBufferPointer, breakingAtWhitespace: Bool) -> [UInt8] {
        var best: [UInt8] = [], run: [UInt8] = []
        for byte in pattern {
            if !isLiteral(byte) || (breakingAtWhitespace && isBlank(byte)) {
                run.removeAll(keepingCapacity: true)
                continue
            }
            run.append(folded(byte))
            if run.count > best.count { best = run }
        }
        return best
    }

    /// NUL is left out too: libmagic pads a string read past the end of the sample with zeros.
    static func isLiteral(_ byte: UInt8) -> Bool { byte != 0 && byte < 0x80 }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    static func folded(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}

/// One of `alternatives` must be in any match; none: nothing in particular is.
struct Requirement {
    var alternatives: [[UInt8]] = []

    static let nothing = Requirement()

    init(alternatives: [[UInt8]] = []) { self.alternatives = alternatives }
    init(literal: [UInt8]) { self.alternatives = literal.isEmpty ? [] : [literal] }

    /// How much it rules out: the length of its shortest alternative.
    var strength: Int { alternatives.map(\.count).min() ?? 0 }

    /// Rules out more, or as much with fewer literals to look up.
    func isStronger(than other: Requirement) -> Bool {
        strength > other.strength || (strength == other.strength && strength > 0 && alternatives.count < other.alternatives.count)
    }
}

/// Reads a POSIX extended regular expression (glibc's dialect, as libmagic compiles it) far
/// enough to find the longest literal every match contains: runs of plain characters at the top
/// level or inside groups that must occur, never inside an alternation or an optional part.
struct RegexLiteralParser {
    private let pattern: [UInt8]
    private var position = 0

    init(_ pattern: UnsafeRawBufferPointer) { self.pattern = Array(pattern) }

    var isAtEnd: Bool { position == pattern.count }

    /// A sequence up to `)` or the end. With alternatives (`a|b`), one of each branch's
    /// requirements is needed, and nothing if a branch needs nothing.
    mutating func sequence() -> Requirement {
        var branches: [Requirement] = []
        var best = Requirement.nothing, run: [UInt8] = []
        func keep() {
            let candidate = Requirement(literal: run)
            if candidate.isStronger(than: best) { best = candidate }
        }
        while position < pattern.count, pattern[position] != UInt8(ascii: ")") {
            let byte = pattern[position]
            position += 1
            switch byte {
            case UInt8(ascii: "|"):
                keep(); run.removeAll()
                branches.append(best)
                best = .nothing
            case UInt8(ascii: "("):
                keep(); run.removeAll()
                let inner = sequence()
                if position < pattern.count { position += 1 }  // the `)`
                if quantifierAllowsZero() != true, inner.isStronger(than: best) {
                    best = inner
                }
            case UInt8(ascii: "["):
                keep(); run.removeAll()
                skipBracket()
                _ = quantifierAllowsZero()
            case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                keep(); run.removeAll()
                _ = quantifierAllowsZero()
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                // A quantifier with nothing before it: glibc may read it as a literal; claim nothing.
                keep(); run.removeAll()
                position -= 1
                _ = quantifierAllowsZero()
            default:
                var literal = byte
                if byte == UInt8(ascii: "\\") {
                    guard position < pattern.count else { keep(); run.removeAll(); continue }
                    literal = pattern[position]
                    position += 1
                    // \w, \b, \<, \1 and the like are classes, anchors or back-references.
                    if !Self.isEscapedLiteral(literal) { keep(); run.removeAll(); _ = quantifierAllowsZero(); continue }
                }
                switch quantifierAllowsZero() {
                case nil:
                    guard RequiredLiteral.isLiteral(literal) else { keep(); run.removeAll(); continue }
                    run.append(RequiredLiteral.folded(literal))
                case false?:
                    // `a+` or `a{2,}`: one `a` is certain, what follows may not be next to it.
                    if RequiredLiteral.isLiteral(literal) { run.append(RequiredLiteral.folded(literal)) }
                    keep(); run.removeAll()
                case true?:
                    keep(); run.removeAll()
                }
            }
            keep()
        }
        keep()
        guard !branches.isEmpty else { return best }
        branches.append(best)
        if branches.contains(where: { $0.alternatives.isEmpty }) { return .nothing }
        return Requirement(alternatives: branches.flatMap(\.alternatives))
    }

    /// Reads a quantifier if one follows: true when it allows zero repetitions (`*`, `?`,
    /// `{0,...}`), false when it requires one at least (`+`, `{n,...}`), nil when there is none.
    private mutating func quantifierAllowsZero() -> Bool? {
        var allowsZero: Bool? = nil
        while position < pattern.count {
            switch pattern[position] {
            case UInt8(ascii: "*"), UInt8(ascii: "?"):
                allowsZero = true
                position += 1
            case UInt8(ascii: "+"):
                allowsZero = allowsZero ?? false
                position += 1
            case UInt8(ascii: "{"):
                var end = position + 1
                var minimum = 0, digits = 0
                while end < pattern.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(pattern[end]) {
                    minimum = Swift.min(minimum * 10 + Int(pattern[end] - UInt8(ascii: "0")), 1000)
                    digits += 1
                    end += 1
                }
                while end < pattern.count, pattern[end] != UInt8(ascii: "}") { end += 1 }
                position = Swift.min(end + 1, pattern.count)
                // `{,n}` and `{0,n}` allow none; anything unreadable is taken as allowing none.
                allowsZero = (allowsZero ?? false) || digits == 0 || minimum == 0
            default:
                return allowsZero
            }
        }
        return allowsZero
    }

    /// Skips `[...]`, with `]` first (or after `^`) as a member and `[:class:]`, `[.x.]`, `[=x=]`.
    private mutating func skipBracket() {
        if position < pattern.count, pattern[position] == UInt8(ascii: "^") { position += 1 }
        if position < pattern.count, pattern[position] == UInt8(ascii: "]") { position += 1 }
        while position < pattern.count {
            let byte = pattern[position]
            position += 1
            if byte == UInt8(ascii: "]") { return }
            if byte == UInt8(ascii: "["), position < pattern.count,
               [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "=")].contains(pattern[position]) {
                let delimiter = pattern[position]
                position += 1
                while position + 1 < pattern.count,
                      !(pattern[position] == delimiter && pattern[position + 1] == UInt8(ascii: "]")) { position += 1 }
                position = Swift.min(position + 2, pattern.count)
            }
        }
    }

    /// Escaped punctuation stands for itself; escaped letters and digits are glibc's classes,
    /// anchors and back-references.
    private static func isEscapedLiteral(_ byte: UInt8) -> Bool {
        byte < 0x80 && !(byte >= 0x30 && byte <= 0x39) && !((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
            && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") && byte != UInt8(ascii: "`") && byte != UInt8(ascii: "'")
    }
}
