import Checksums
import Filters
import NIOCore
import S3

/// A part's S3 checksum, taken while its bytes are copied into the part. The chunk is still in
/// the cache then, and for CRC-32 (the default) the copy and the checksum are one pass. Taken
/// over the finished part, the checksum read all 8 MiB again from memory (docs/PERFORMANCE.md).
///
/// Only the CRCs are taken here. MD5 and SHA-256 cost more than the reader's other work, so
/// they are left to each part's upload task, which digests the finished part
/// (`S3Checksum.header(for:computed:)`) beside the other parts in flight: reading it back from
/// memory is nothing at their speed (docs/PERFORMANCE.md, "Figures behind design choices").
struct PartChecksum {
    /// CRC-32 copies as it sums; CRC-32C is updated, then the bytes copied.
    private var crc32: CRC32?
    private var digest: (any StreamingDigest)?

    init(_ checksum: S3Checksum) {
        switch checksum {
        case .crc32: crc32 = CRC32()
        case .crc32c: digest = DigestAlgorithm.crc32c.makeHasher()
        case .md5, .sha256, .none: break
        }
    }

    /// Moves `chunk`'s bytes to the end of `bytes`, taking them into the checksum.
    mutating func copy(_ chunk: inout ByteBuffer, to bytes: inout ByteBuffer) {
        let count = chunk.readableBytes
        guard count > 0 else { return }
        if crc32 != nil {
            bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
                chunk.withUnsafeReadableBytes { crc32!.update($0, copyingTo: target.baseAddress!) }
                return count
            }
            chunk.moveReaderIndex(forwardBy: count)
            return
        }
        if digest != nil { chunk.withUnsafeReadableBytes { digest!.update($0) } }
        bytes.writeBuffer(&chunk)
    }

    /// The checksum of every byte copied so far, or nil when it is not taken here (MD5,
    /// SHA-256, `S3Checksum.none`).
    mutating func finalize() -> [UInt8]? {
        if crc32 != nil { return crc32!.finalize() }
        return digest?.finalize()
    }
}
