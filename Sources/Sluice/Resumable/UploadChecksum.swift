import Checksums
import Foundation
import NIOCore

/// tus's checksum extension: `Upload-Checksum: <algorithm> <base64 digest>` of one request's
/// body. A mismatch drops the body (460) and leaves the offset where it was.
struct UploadChecksum {
    /// tus's names for the digests it may use, in the order `Tus-Checksum-Algorithm` lists them.
    static let algorithms: [(name: String, digest: DigestAlgorithm)] = [("sha1", .sha1), ("sha256", .sha256), ("crc32", .crc32)]

    let algorithm: String
    private let expected: [UInt8]
    private var hasher: any StreamingDigest

    /// The header's checksum, nil without one; 400 when it is unreadable.
    init?(header: String?) throws(APIError) {
        guard let header else { return nil }
        let fields = header.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 2, let digest = Data(base64Encoded: String(fields[1])) else {
            throw APIError(status: 400, error: "bad_checksum", message: "Upload-Checksum must be \"<algorithm> <base64 digest>\"")
        }
        guard let known = UploadChecksum.algorithms.first(where: { $0.name == fields[0].lowercased() }) else {
            throw APIError(
                status: 400, error: "unsupported_checksum",
                message: "Upload-Checksum uses \(fields[0]); this server takes \(UploadChecksum.algorithms.map(\.name).joined(separator: ", "))")
        }
        algorithm = known.name
        expected = Array(digest)
        hasher = known.digest.makeHasher()
    }

    mutating func update(_ chunk: ByteBuffer) {
        chunk.withUnsafeReadableBytes { hasher.update($0) }
    }

    /// Whether the bytes seen are the ones the client hashed.
    mutating func matches() -> Bool { hasher.finalize() == expected }
}
