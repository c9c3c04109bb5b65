import Crypto
import CZlib

/// The digests Sluice computes, for the `hash` filter and for S3 checksums.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case sha256, sha1, md5, crc32, crc32c

    public func makeHasher() -> any StreamingDigest {
        switch self {
        case .sha256: CryptoDigest<SHA256>()
        case .sha1: CryptoDigest<Insecure.SHA1>()
        case .md5: CryptoDigest<Insecure.MD5>()
        case .crc32: CRC32()
        case .crc32c: CRC32C()
        }
    }

    /// Slow enough that hashing beside the reader pays for the hand-offs; the CRCs cost less
    /// than handing their chunks over (docs/PERFORMANCE.md).
    var isWorthAThread: Bool {
        switch self {
        case .sha256, .sha1, .md5: true
        case .crc32, .crc32c: false
        }
    }

    /// The digest of `bytes` in one go.
    public func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = makeHasher()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

/// A digest computed over bytes fed in pieces; the result does not depend on the pieces.
public protocol StreamingDigest {
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest's bytes (CRCs big-endian, as S3 and the RFCs write them).
    mutating func finalize() -> [UInt8]
}

struct CryptoDigest<H: HashFunction>: StreamingDigest {
    private var function = H()
    mutating func update(_ bytes: UnsafeRawBufferPointer) { function.update(bufferPointer: bytes) }
    mutating func finalize() -> [UInt8] { Array(function.finalize()) }
}

/// CRC-32 as zlib computes it, by carry-less multiplication where the CPU has it (see the
/// CZlib shim): 5 times zlib's own speed with 128-bit registers, 10 times with 512-bit ones.
struct CRC32: StreamingDigest {
    /// How the shim folds: 0 zlib only, 1 PCLMULQDQ, 2 VPCLMULQDQ on 512 bits (each where the
    /// CPU has it). Tests set it to compare the three; everyone else gets the best.
    let fold: Int32
    private var value: UInt = 0

    init(fold: Int32 = 2) { self.fold = fold }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        value = sluice_crc32_copy_by(fold, value, base.assumingMemoryBound(to: UInt8.self), bytes.count, nil)
    }

    /// Takes `bytes` in and copies them to `target` (which must not overlap them) in the same
    /// pass: the copy is almost free, since the checksum loads every byte anyway.
    mutating func update(_ bytes: UnsafeRawBufferPointer, copyingTo target: UnsafeMutableRawPointer) {
        guard let base = bytes.baseAddress else { return }
        value = sluice_crc32_copy_by(
            fold, value, base.assumingMemoryBound(to: UInt8.self), bytes.count, target.assumingMemoryBound(to: UInt8.self))
    }

    /// The best fold this CPU has (2, 1 or 0).
    static var bestFold: Int32 { sluice_crc32_best() }
    mutating func finalize() -> [UInt8] { UInt32(truncatingIfNeeded: value).bigEndianBytes }

    /// zlib's plain crc32, for tests that compare.
    static func zlib(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(CZlib.crc32_z(0, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), bytes.count))
    }
}

extension UInt32 {
    var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8(self >> 16 & 0xFF), UInt8(self >> 8 & 0xFF), UInt8(self & 0xFF)] }
}

extension Array where Element == UInt8 {
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
