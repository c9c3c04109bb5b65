/// libmagic's full analysis of a text file runs every text rule of the database, most of them
/// regular expressions, though almost all need a literal the file does not hold. The prefilter
/// knows each rule's required literals (``RequiredLiteral``) and, for one sample, which rules
/// cannot match it: a handle with its own copy of the database (``PrefilteredMagicHandle``)
/// keeps those rules out of both passes, as libmagic itself skips a rule whose first test
/// failed, so the verdict is the one the full database gives.
struct MagicPrefilter: Sendable {
    /// A rule that needs one of some literals: where its flag byte is, the flag that enables
    /// it, and its literals (`literals` in ``MagicPrefilter/literals``).
    struct Gate: Sendable {
        let buffer: Int
        let flagOffset: Int
        let flag: UInt8
        let literals: Range<Int>

        /// The flag with the rule out of both passes.
        var switchedOffFlag: UInt8 { flag & ~CompiledMagicRules.Entry.passBits }
    }

    /// A literal as its byte pairs (`pairs` in ``MagicPrefilter/pairs``) or, for one byte, the byte.
    struct Literal: Sendable {
        let pairs: Range<Int>
        let byte: UInt8
    }

    let gates: [Gate]
    let literals: [Literal]
    let pairs: [UInt16]

    /// nil when no buffer is in the compiled layout this reads, or no rule can be gated.
    init?(_ buffers: [UnsafeRawBufferPointer]) {
        var gates: [Gate] = [], literals: [Literal] = [], pairs: [UInt16] = []
        for (index, buffer) in buffers.enumerated() {
            guard let rules = CompiledMagicRules(buffer) else { return nil }
            for rule in rules.ruleIndexes {
                let entry = rules.entry(rule)
                guard entry.flag & CompiledMagicRules.Entry.passBits != 0, let required = RequiredLiteral.of(entry) else { continue }
                let first = literals.count
                for literal in required {
                    let start = pairs.count
                    for (a, b) in zip(literal, literal.dropFirst()) { pairs.append(UInt16(a) << 8 | UInt16(b)) }
                    literals.append(Literal(pairs: start..<pairs.count, byte: literal[0]))
                }
                gates.append(Gate(buffer: index, flagOffset: rules.offset(ofEntry: rule) + 2, flag: entry.flag, literals: first..<literals.count))
            }
        }
        guard !gates.isEmpty else { return nil }
        self.gates = gates
        self.literals = literals
        self.pairs = pairs
    }

    /// The gates one of whose literals the sample may hold (every pair present), as bits:
    /// gate `i` is bit `i % 64` of word `i / 64`.
    func candidates(in sample: SampleBytePairs, into result: inout [UInt64]) {
        result = [UInt64](repeating: 0, count: (gates.count + 63) / 64)
        for (index, gate) in gates.enumerated() {
            let present = literals[gate.literals].contains { literal in
                literal.pairs.isEmpty ? sample.contains(byte: literal.byte) : sample.contains(pairs: pairs[literal.pairs])
            }
            if present { result[index / 64] |= 1 << UInt64(index % 64) }
        }
    }
}
