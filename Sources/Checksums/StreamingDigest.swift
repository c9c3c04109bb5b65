import Crypto

/// A digest computed over bytes fed in pieces; the result does not depend on the pieces.
public protocol StreamingDigest {
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest's bytes (CRCs big-endian, as S3 and the RFCs write them).
    mutating func finalize() -> [UInt8]
}

/// A swift-crypto hash as a ``StreamingDigest``.
public struct CryptoDigest<H: HashFunction>: StreamingDigest {
    private var function = H()
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { function.update(bufferPointer: bytes) }
    public mutating func finalize() -> [UInt8] { Array(function.finalize()) }
}
