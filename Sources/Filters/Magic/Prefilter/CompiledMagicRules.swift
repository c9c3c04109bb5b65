/// The rules of one compiled libmagic database (`magic.mgc`), read in place. Only the layout
/// libmagic 5.4x writes is understood (version 18: a header entry, then 376-byte entries, the
/// regular set before the named one, in the machine's byte order); anything else is nil and is
/// left to libmagic's full analysis.
struct CompiledMagicRules {
    static let entrySize = 376
    static let version: UInt32 = 18
    static let magicNumber: UInt32 = 0xF11E_041C

    /// One entry: a test at `contLevel` 0 starts a rule, its continuations follow it.
    struct Entry {
        let bytes: UnsafeRawBufferPointer

        var contLevel: UInt16 { bytes.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
        var flag: UInt8 { bytes[2] }
        /// The relation: `=` for an equality test, `!`, `<`, `>`, `&`, `^`, `x` (anything).
        var relation: UInt8 { bytes[4] }
        var valueLength: Int { Int(bytes[5]) }
        var type: UInt8 { bytes[6] }
        var stringFlags: UInt32 { bytes.loadUnaligned(fromByteOffset: 28, as: UInt32.self) }
        /// The pattern of a string, search or regex test (`vallen` bytes; a regex may be
        /// NUL-terminated before that).
        var pattern: UnsafeRawBufferPointer {
            let value = UnsafeRawBufferPointer(rebasing: bytes[32..<(32 + 128)])
            let length = Swift.min(valueLength, 128)
            let end = type == Self.regex ? (value.prefix(length).firstIndex(of: 0) ?? length) : length
            return UnsafeRawBufferPointer(rebasing: value[0..<end])
        }

        static let string: UInt8 = 5
        static let regex: UInt8 = 17
        static let search: UInt8 = 20
        /// The flag bits that put a rule in libmagic's binary or text pass; a rule with neither
        /// is skipped by both, continuations included.
        static let passBits: UInt8 = 0x20 | 0x40
        static let compactWhitespace: UInt32 = 1 << 0
        static let optionalWhitespace: UInt32 = 1 << 1
    }

    let buffer: UnsafeRawBufferPointer
    let regularCount: Int

    init?(_ buffer: UnsafeRawBufferPointer) {
        let size = Self.entrySize
        guard buffer.count >= size, buffer.count % size == 0,
              buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self) == Self.magicNumber,
              buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self) == Self.version else { return nil }
        let regular = Int(buffer.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let named = Int(buffer.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        guard regular + named + 1 == buffer.count / size else { return nil }
        self.buffer = buffer
        self.regularCount = regular
    }

    /// Byte offset of the regular set's entry `index` in the buffer.
    func offset(ofEntry index: Int) -> Int { (index + 1) * Self.entrySize }

    func entry(_ index: Int) -> Entry {
        let start = offset(ofEntry: index)
        return Entry(bytes: UnsafeRawBufferPointer(rebasing: buffer[start..<(start + Self.entrySize)]))
    }

    /// Indexes of the regular set's rules (entries at level 0).
    var ruleIndexes: [Int] {
        (0..<regularCount).filter { entry($0).contLevel == 0 }
    }
}
