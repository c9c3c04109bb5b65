/// The end of a value in the head every browser sends, found eight bytes at a time: the first
/// byte that is not printable ASCII, or that a quoted value may not hold as is (`"`, `\`, `%`),
/// or, unquoted, a space. The per-byte loop it replaces was a sixth of a 10 KiB part's parsing.
enum ValueScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first stop byte in `base[start..<end]`, or `end`.
    static func firstStop(in base: UnsafePointer<UInt8>, from start: Int, to end: Int, quoted: Bool) -> Int {
        var i = start
        while end - i >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let stops = quoted ? quotedStops(word) : unquotedStops(word)
            // Each test may also flag bytes above a flagged one (borrows run upward), never
            // below, so the lowest flag is the first stop.
            if stops != 0 { return i + stops.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end, !(quoted ? isQuotedStop(base[i]) : isUnquotedStop(base[i])) { i += 1 }
        return i
    }

    static func isQuotedStop(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte >= 0x7F || byte == 0x22 || byte == 0x5C || byte == 0x25
    }

    static func isUnquotedStop(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte >= 0x7F
    }

    /// The high bit of each byte below `limit` (at most 0x80), exact for the lowest one.
    @inline(__always)
    private static func below(_ word: UInt64, _ limit: UInt64) -> UInt64 {
        (word &- ones &* limit) & ~word & highs
    }

    /// The high bit of each byte above `limit` (below 0x80).
    @inline(__always)
    private static func above(_ word: UInt64, _ limit: UInt64) -> UInt64 {
        ((word &+ ones &* (0x7F - limit)) | word) & highs
    }

    @inline(__always)
    private static func equal(_ word: UInt64, _ byte: UInt64) -> UInt64 {
        below(word ^ (ones &* byte), 1)
    }

    @inline(__always)
    private static func quotedStops(_ word: UInt64) -> UInt64 {
        below(word, 0x20) | above(word, 0x7E) | equal(word, 0x22) | equal(word, 0x5C) | equal(word, 0x25)
    }

    @inline(__always)
    private static func unquotedStops(_ word: UInt64) -> UInt64 {
        below(word, 0x21) | above(word, 0x7E)
    }
}
