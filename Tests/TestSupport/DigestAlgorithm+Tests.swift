import Checksums

extension DigestAlgorithm {
    /// The digest of bytes held in an array: the reference tests compare the filters' digests to.
    public func digest(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { digest($0) }
    }
}
