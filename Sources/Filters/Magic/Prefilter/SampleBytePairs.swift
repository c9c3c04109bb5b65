/// Which pairs of adjacent bytes a sample holds, ASCII letters folded to lower case: a literal
/// one of whose pairs is missing is not in the sample. Kept by one handle and refilled for each
/// sample (8 KiB of bits, cleared each time).
struct SampleBytePairs {
    private var pairs = [UInt64](repeating: 0, count: 65536 / 64)

    /// Each byte folded (`A`-`Z` to `a`-`z`), or 0 for the bytes libmagic's encoding tests call
    /// "not text" in every encoding it knows: NUL and most other controls, DEL. A sample without
    /// them is read as ASCII, UTF-8, UTF-16 without NULs, ISO-8859 or extended ASCII, never
    /// UTF-32 or EBCDIC: its text pass then sees every ASCII run of the sample unchanged, which
    /// is what the prefilter relies on.
    private static let folded: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
        let notText = byte < 0x07 || (0x0E...0x1A).contains(byte) || (0x1C...0x1F).contains(byte) || byte == 0x7F
        return notText ? 0 : RequiredLiteral.folded(UInt8(byte))
    }

    /// Whether the sample holds no byte that no text holds: worth a prefiltered handle.
    static func mayBeText(_ sample: UnsafeRawBufferPointer) -> Bool {
        folded.withUnsafeBufferPointer { folded in !sample.contains { folded[Int($0)] == 0 } }
    }

    /// Records the sample's pairs; false (and nothing usable recorded) when it holds a byte
    /// that no text holds. Each byte is paired with the next, the last one with 0 (no literal
    /// holds a NUL), so every byte of the sample starts a pair.
    mutating func record(_ sample: UnsafeRawBufferPointer) -> Bool {
        Self.folded.withUnsafeBufferPointer { folded in
            pairs.withUnsafeMutableBufferPointer { pairs in
                pairs.update(repeating: 0)
                var previous: UInt32 = 0
                for byte in sample {
                    let current = UInt32(folded[Int(byte)])
                    if current == 0 { return false }
                    let pair = previous << 8 | current
                    pairs[Int(pair >> 6)] |= 1 << UInt64(pair & 63)
                    previous = current
                }
                let last = previous << 8
                pairs[Int(last >> 6)] |= 1 << UInt64(last & 63)
                return true
            }
        }
    }

    /// Whether `byte` is in the sample: some pair starts with it.
    func contains(byte: UInt8) -> Bool {
        let row = Int(byte) * 4
        return pairs[row] | pairs[row + 1] | pairs[row + 2] | pairs[row + 3] != 0
    }

    /// `literal`'s pairs as `first << 8 | second`, each looked up.
    func contains(pairs literal: ArraySlice<UInt16>) -> Bool {
        pairs.withUnsafeBufferPointer { pairs in
            literal.allSatisfy { pairs[Int($0) >> 6] & (1 << UInt64($0 & 63)) != 0 }
        }
    }
}
