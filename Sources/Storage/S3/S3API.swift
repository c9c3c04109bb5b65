import NIOCore
import S3

/// The S3 calls the sink makes, and nothing else: `S3Client` in a server, an in-memory S3 in
/// tests that need no endpoint (as tusd's s3store has its S3API).
public protocol S3API: Sendable {
    func putObject(
        bucket: String, key: String, body: ByteBuffer, attributes: ObjectAttributes, checksum: S3Checksum, digest: [UInt8]?,
        condition: WriteCondition?
    ) async throws -> S3Client.PutResult
    func createMultipartUpload(bucket: String, key: String, attributes: ObjectAttributes, checksum: S3Checksum) async throws -> String
    func uploadPart(
        bucket: String, key: String, uploadId: String, number: Int, body: ByteBuffer, checksum: S3Checksum, digest: [UInt8]?
    ) async throws -> S3Client.CompletedPart
    /// `parts` in ascending part numbers, as S3 requires.
    func completeMultipartUpload(
        bucket: String, key: String, uploadId: String, parts: [S3Client.CompletedPart], checksum: S3Checksum
    ) async throws -> S3Client.PutResult
    func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws
    func deleteObject(bucket: String, key: String, versionId: String?) async throws
    /// What is stored under `key` (a resumable upload's finishing request checks whether an
    /// earlier one completed it).
    func headObject(bucket: String, key: String) async throws -> ObjectInfo
    /// A small object, whole (a resumable upload's record); throws if it is over `limit`.
    func getObject(bucket: String, key: String, limit: Int) async throws -> (body: ByteBuffer, info: ObjectInfo)
    /// Every key under `prefix` (resumable uploads' records, for the expiry sweep).
    func listObjects(bucket: String, prefix: String?) async throws -> [String]
}

extension S3Client: S3API {}
