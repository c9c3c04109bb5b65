import Crypto

/// The digests Sluice computes, for the `hash` filter and for S3 checksums.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case sha256, sha1, md5, crc32, crc32c

    public func makeHasher() -> any ResumableDigest {
        switch self {
        case .sha256: LibcryptoDigest<LibcryptoSHA256>()
        case .sha1: LibcryptoDigest<LibcryptoSHA1>()
        case .md5: LibcryptoDigest<LibcryptoMD5>()
        case .crc32: CRC32()
        case .crc32c: CRC32C()
        }
    }

    /// The hasher as it was when `state` was saved from one of this algorithm.
    public func resumeHasher(from state: [UInt8]) throws(DigestStateError) -> any ResumableDigest {
        switch self {
        case .sha256: try LibcryptoDigest<LibcryptoSHA256>(savedState: state)
        case .sha1: try LibcryptoDigest<LibcryptoSHA1>(savedState: state)
        case .md5: try LibcryptoDigest<LibcryptoMD5>(savedState: state)
        case .crc32: try CRC32(savedState: state)
        case .crc32c: try CRC32C(savedState: state)
        }
    }

    /// Slow enough that hashing beside the reader pays for the hand-offs; the CRCs cost less
    /// than handing their chunks over (docs/PERFORMANCE.md).
    public var isWorthAThread: Bool {
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
