import CChecksum

/// CRC-32 as zlib computes it, by carry-less multiplication where the CPU has it (see
/// CChecksum): 5 times zlib's own speed with 128-bit registers, 10 times with 512-bit ones.
public struct CRC32: ResumableDigest {
    /// How the shim folds: 0 zlib only, 1 PCLMULQDQ, 2 VPCLMULQDQ on 512 bits (each where the
    /// CPU has it). Tests set it to compare the three; everyone else gets the best.
    let fold: Int32
    private var value: UInt = 0

    public init() { self.init(fold: 2) }

    init(fold: Int32) { self.fold = fold }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        value = sluice_crc32_copy_by(fold, value, base.assumingMemoryBound(to: UInt8.self), bytes.count, nil)
    }

    /// Takes `bytes` in and copies them to `target` (which must not overlap them) in the same
    /// pass: the copy is almost free, since the checksum loads every byte anyway.
    public mutating func update(_ bytes: UnsafeRawBufferPointer, copyingTo target: UnsafeMutableRawPointer) {
        guard let base = bytes.baseAddress else { return }
        value = sluice_crc32_copy_by(
            fold, value, base.assumingMemoryBound(to: UInt8.self), bytes.count, target.assumingMemoryBound(to: UInt8.self))
    }

    public mutating func finalize() -> [UInt8] { UInt32(truncatingIfNeeded: value).bigEndianBytes }

    /// The running CRC, big-endian: a CRC's midstate is its value.
    public func savedState() -> [UInt8] { UInt32(truncatingIfNeeded: value).bigEndianBytes }

    public init(savedState state: [UInt8]) throws(DigestStateError) {
        guard let value = UInt32(bigEndianBytes: state) else { throw DigestStateError(algorithm: "crc32") }
        self.init()
        self.value = UInt(value)
    }

    /// The best fold this CPU has (2, 1 or 0).
    static var bestFold: Int32 { sluice_crc32_best() }
}
