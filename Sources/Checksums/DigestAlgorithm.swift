import Crypto

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
