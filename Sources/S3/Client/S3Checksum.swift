import Checksums
import Foundation
import NIOCore

/// The integrity check sent with each PutObject and UploadPart, so S3 verifies every byte.
public enum S3Checksum: String, Sendable, CaseIterable {
    case crc32, crc32c, sha256
    /// Content-MD5 (the classic header).
    case md5
    /// No checksum header, for stores that refuse them.
    case none

    /// `x-amz-checksum-algorithm` for CreateMultipartUpload; nil for md5 and none.
    var algorithmName: String? {
        switch self {
        case .crc32: "CRC32"
        case .crc32c: "CRC32C"
        case .sha256: "SHA256"
        case .md5, .none: nil
        }
    }

    /// The element CompleteMultipartUpload lists for each part (`ChecksumCRC32`), if any.
    var completeElement: String? { algorithmName.map { "Checksum\($0)" } }

    var digest: DigestAlgorithm? {
        switch self {
        case .crc32: .crc32
        case .crc32c: .crc32c
        case .sha256: .sha256
        case .md5: .md5
        case .none: nil
        }
    }

    /// The header and its base64 value for `body`, from `computed` when the caller has the
    /// digest already (taken as the bytes were copied in).
    func header(for body: ByteBuffer, computed: [UInt8]? = nil) -> (name: String, value: String)? {
        guard let digest else { return nil }
        let value = Data(computed ?? body.withUnsafeReadableBytes { digest.digest($0) }).base64EncodedString()
        return (self == .md5 ? "content-md5" : "x-amz-checksum-\(rawValue)", value)
    }
}
