/// The fuzzer's bytes read front to back: a few control bytes (modes, sizes, limits) and then
/// data, so that libFuzzer's mutations of either reach the code under test.
struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    var isEmpty: Bool { bytes.isEmpty }

    /// The next byte, 0 past the end.
    mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    /// The next `count` bytes, fewer at the end.
    mutating func take(_ count: Int) -> [UInt8] {
        let taken = bytes.prefix(Swift.max(count, 0))
        bytes = bytes.dropFirst(taken.count)
        return Array(taken)
    }

    /// The bytes up to the next `separator` (which is passed), or all that is left.
    mutating func field(separator: UInt8 = 0) -> [UInt8] {
        guard let end = bytes.firstIndex(of: separator) else { return rest() }
        defer { bytes = bytes[(end + 1)...] }
        return Array(bytes[..<end])
    }

    /// All that is left.
    mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }
}
