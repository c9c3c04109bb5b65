import Crypto

/// A digest computed over bytes fed in pieces; the result does not depend on the pieces.
public protocol StreamingDigest {
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest's bytes (CRCs big-endian, as S3 and the RFCs write them).
    mutating func finalize() -> [UInt8]
}

/// A digest whose midstate can be saved and taken up again, on this process or another: a
/// resumed upload's whole-file digest equals the one sent in one go.
public protocol ResumableDigest: StreamingDigest {
    /// What the digest has taken in so far, as versioned bytes.
    func savedState() -> [UInt8]
    /// The digest as it was when `state` was saved.
    init(savedState state: [UInt8]) throws(DigestStateError)
}

/// Saved digest state that this build cannot take up.
public struct DigestStateError: Error, CustomStringConvertible {
    public var algorithm: String
    public var description: String { "the saved \(algorithm) state is not one this build can resume" }

    public init(algorithm: String) { self.algorithm = algorithm }
}

/// A swift-crypto hash as a ``StreamingDigest``.
public struct CryptoDigest<H: HashFunction>: StreamingDigest {
    private var function = H()
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { function.update(bufferPointer: bytes) }
    public mutating func finalize() -> [UInt8] { Array(function.finalize()) }
}
