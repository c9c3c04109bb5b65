import NIOCore

/// A part's S3 checksum, taken while its bytes are copied into the part. The chunk is still in
/// the cache then, and for CRC-32 (the default) the copy and the checksum are one pass. Taken
/// over the finished part, the checksum read all 8 MiB again from memory: CRC-32 and the copy
/// were 12 % of the server's time (docs/PERFORMANCE.md).
struct PartChecksum {
    /// CRC-32 copies as it sums; the other digests are updated, then the bytes copied.
    private var crc32: CRC32?
    private var digest: (any StreamingDigest)?

    init(_ checksum: S3Checksum) {
        if checksum == .crc32 {
            crc32 = CRC32()
        } else {
            digest = checksum.digest?.makeHasher()
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

    /// The digest of every byte copied so far, or nil for `S3Checksum.none`.
    mutating func finalize() -> [UInt8]? {
        if crc32 != nil { return crc32!.finalize() }
        return digest?.finalize()
    }
}
