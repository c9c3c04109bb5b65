/// Which bytes and which pairs of adjacent bytes a sample holds, ASCII letters folded to lower
/// case: a literal one of whose pairs is missing is not in the sample. Kept by one handle and
/// refilled for each sample (8 KiB of bits, cleared each time).
struct SampleBytePairs {
    private var pairs = [UInt64](repeating: 0, count: 65536 / 64)
    private var singles = [UInt64](repeating: 0, count: 256 / 64)

    /// The bytes libmagic's encoding tests call "not text" in any encoding it knows (NUL and
    /// most other controls, DEL). A sample without them is read as ASCII, UTF-8, UTF-16 without
    /// NULs, ISO-8859 or extended ASCII, never UTF-32 or EBCDIC: its text pass then sees every
    /// ASCII run of the sample unchanged, which is what the prefilter relies on.
    static func mayBeText(_ sample: UnsafeRawBufferPointer) -> Bool {
        for byte in sample where byte < 0x20 || byte == 0x7F {
            if byte < 0x07 || (0x0E...0x1A).contains(byte) || (0x1C...0x1F).contains(byte) || byte == 0x7F { return false }
        }
        return true
    }

    mutating func record(_ sample: UnsafeRawBufferPointer) {
        pairs.withUnsafeMutableBufferPointer { pairs in
            singles.withUnsafeMutableBufferPointer { singles in
                pairs.update(repeating: 0)
                singles.update(repeating: 0)
                var previous: Int = -1
                for byte in sample {
                    let current = Int(RequiredLiteral.folded(byte))
                    singles[current >> 6] |= 1 << UInt64(current & 63)
                    if previous >= 0 {
                        let pair = previous << 8 | current
                        pairs[pair >> 6] |= 1 << UInt64(pair & 63)
                    }
                    previous = current
                }
            }
        }
    }

    func contains(byte: UInt8) -> Bool {
        singles[Int(byte) >> 6] & (1 << UInt64(byte & 63)) != 0
    }

    /// `literal`'s pairs as `first << 8 | second`, each looked up.
    func contains(pairs literal: ArraySlice<UInt16>) -> Bool {
        pairs.withUnsafeBufferPointer { pairs in
            literal.allSatisfy { pairs[Int($0) >> 6] & (1 << UInt64($0 & 63)) != 0 }
        }
    }
}
