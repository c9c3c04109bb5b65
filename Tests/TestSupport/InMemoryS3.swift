import Checksums
import NIOCore
import S3
import Storage
import Synchronization

/// An S3 in memory, behind the sink's `S3API`: objects, multipart uploads with S3's part rules,
/// and faults on demand, for sink tests that need no endpoint. It keeps the calls it got.
public final class InMemoryS3: S3API {
    public struct Object: Sendable {
        public var bytes: [UInt8]
        public var attributes: ObjectAttributes
        public var parts: Int
        /// New on every write, as S3's changes with the content.
        public var etag: String = ""
    }

    /// One call, as a fault rule sees it: the operation's S3 name and, for UploadPart, the number.
    public struct Call: Sendable, Equatable {
        public var operation: String
        public var part: Int?
    }

    private struct Upload {
        var key: String
        var attributes: ObjectAttributes
        var parts: [Int: [UInt8]] = [:]
    }

    private struct State {
        var objects: [String: Object] = [:]
        var uploads: [String: Upload] = [:]
        var calls: [Call] = []
        var nextId = 0
    }

    private let state = Mutex(State())
    /// Returns the error a call fails with, or nil to let it through.
    private let fault: @Sendable (Call) -> (any Error)?
    private let losesAnswer: @Sendable (Call) -> Bool
    private let encryptsWithKey: Bool
    /// S3's smallest part but the last.
    public static let minimumPartSize = 5 << 20

    /// `losesAnswer`: CompleteMultipartUpload calls that take effect and then fail as a
    /// connection whose answer never came would. `encryptsWithKey`: as under SSE-KMS or SSE-C,
    /// parts' and assembled objects' ETags are no MD5s of anything the client can work out.
    public init(
        fault: @escaping @Sendable (Call) -> (any Error)? = { _ in nil }, losesAnswer: @escaping @Sendable (Call) -> Bool = { _ in false },
        encryptsWithKey: Bool = false
    ) {
        self.fault = fault
        self.losesAnswer = losesAnswer
        self.encryptsWithKey = encryptsWithKey
    }

    /// What a request whose answer was lost on the way back fails with.
    public struct AnswerLost: Error {}

    public var objects: [String: Object] { state.withLock { $0.objects } }
    /// Multipart uploads started and neither completed nor aborted.
    public var unfinishedUploads: Int { state.withLock { $0.uploads.count } }
    public var calls: [Call] { state.withLock { $0.calls } }

    private func enter(_ operation: String, part: Int? = nil) throws {
        let call = Call(operation: operation, part: part)
        state.withLock { $0.calls.append(call) }
        if let error = fault(call) { throw error }
    }

    private static func noSuchUpload(_ operation: String, _ key: String) -> S3Error {
        S3Error(operation: operation, resource: key, status: 404, code: "NoSuchUpload", message: "The specified upload does not exist.")
    }

    /// Checks `condition` and writes under one lock, as S3 does atomically.
    public func putObject(
        bucket: String, key: String, body: ByteBuffer, attributes: ObjectAttributes, checksum: S3Checksum, digest: [UInt8]?,
        condition: WriteCondition?
    ) async throws -> S3Client.PutResult {
        try enter("PutObject")
        return try state.withLock { state in
            let current = state.objects[key]
            switch condition {
            case .absent? where current != nil, .matches? where current == nil:
                throw S3Error(operation: "PutObject", resource: key, status: 412, code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold")
            case .matches(let etag)? where current!.etag != etag:
                throw S3Error(operation: "PutObject", resource: key, status: 412, code: "PreconditionFailed", message: "At least one of the pre-conditions you specified did not hold")
            default: break
            }
            state.nextId += 1
            let etag = "put-\(state.nextId)"
            state.objects[key] = Object(bytes: Array(body.readableBytesView), attributes: attributes, parts: 1, etag: etag)
            return S3Client.PutResult(etag: etag)
        }
    }

    public func createMultipartUpload(bucket: String, key: String, attributes: ObjectAttributes, checksum: S3Checksum) async throws -> String {
        try enter("CreateMultipartUpload")
        return state.withLock { state in
            state.nextId += 1
            let id = "upload-\(state.nextId)"
            state.uploads[id] = Upload(key: key, attributes: attributes)
            return id
        }
    }

    public func uploadPart(
        bucket: String, key: String, uploadId: String, number: Int, body: ByteBuffer, checksum: S3Checksum, digest: [UInt8]?
    ) async throws -> S3Client.CompletedPart {
        try enter("UploadPart", part: number)
        try state.withLock { state in
            guard state.uploads[uploadId] != nil else { throw Self.noSuchUpload("UploadPart", key) }
            state.uploads[uploadId]!.parts[number] = Array(body.readableBytesView)
        }
        guard encryptsWithKey else { return S3Client.CompletedPart(number: number, etag: "\"\(Self.md5(body.readableBytesView))\"") }
        return S3Client.CompletedPart(number: number, etag: "\"\(Self.md5(Array("sealed".utf8) + body.readableBytesView))\"", etagIsMD5: false)
    }

    public func completeMultipartUpload(
        bucket: String, key: String, uploadId: String, parts: [S3Client.CompletedPart], checksum: S3Checksum
    ) async throws -> S3Client.PutResult {
        try enter("CompleteMultipartUpload")
        let result = try state.withLock { state in
            guard let upload = state.uploads[uploadId] else { throw Self.noSuchUpload("CompleteMultipartUpload", key) }
            let numbers = parts.map(\.number)
            guard numbers == numbers.sorted(), Set(numbers).count == numbers.count, numbers.allSatisfy({ upload.parts[$0] != nil }) else {
                throw S3Error(operation: "CompleteMultipartUpload", resource: key, status: 400, code: "InvalidPart", message: "parts \(numbers)")
            }
            let bodies = numbers.map { upload.parts[$0]! }
            guard bodies.dropLast().allSatisfy({ $0.count >= Self.minimumPartSize }) else {
                throw S3Error(operation: "CompleteMultipartUpload", resource: key, status: 400, code: "EntityTooSmall", message: "a part but the last is under 5 MiB")
            }
            // S3's multipart ETag: the MD5 of the parts' MD5s, a dash, the number of parts.
            let etag = encryptsWithKey
                ? Self.md5(Array(uploadId.utf8)) + "-\(bodies.count)"
                : Self.md5(bodies.flatMap { body in body.withUnsafeBytes { DigestAlgorithm.md5.digest($0) } }) + "-\(bodies.count)"
            state.objects[key] = Object(bytes: Array(bodies.joined()), attributes: upload.attributes, parts: bodies.count, etag: etag)
            state.uploads[uploadId] = nil
            return S3Client.PutResult(etag: etag)
        }
        if losesAnswer(Call(operation: "CompleteMultipartUpload")) { throw AnswerLost() }
        return result
    }

    public func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws {
        try enter("AbortMultipartUpload")
        try state.withLock { state in
            guard state.uploads.removeValue(forKey: uploadId) != nil else { throw Self.noSuchUpload("AbortMultipartUpload", key) }
        }
    }

    public func deleteObject(bucket: String, key: String, versionId: String?) async throws {
        try enter("DeleteObject")
        _ = state.withLock { $0.objects.removeValue(forKey: key) }
    }

    public func getObject(bucket: String, key: String, limit: Int) async throws -> (body: ByteBuffer, info: ObjectInfo) {
        try enter("GetObject")
        guard let object = state.withLock({ $0.objects[key] }) else {
            throw S3Error(operation: "GetObject", resource: key, status: 404, code: "NoSuchKey", message: "The specified key does not exist.")
        }
        guard object.bytes.count <= limit else {
            throw S3Error(operation: "GetObject", resource: key, status: 200, code: "ObjectTooLarge", message: "over \(limit) bytes")
        }
        let info = ObjectInfo(
            contentLength: Int64(object.bytes.count), contentType: object.attributes.contentType, etag: object.etag)
        return (ByteBuffer(bytes: object.bytes), info)
    }

    public func headObject(bucket: String, key: String) async throws -> ObjectInfo {
        try enter("HeadObject")
        guard let object = state.withLock({ $0.objects[key] }) else {
            throw S3Error(operation: "HeadObject", resource: key, status: 404, code: "NotFound", message: "")
        }
        return ObjectInfo(contentLength: Int64(object.bytes.count), contentType: object.attributes.contentType, etag: object.etag)
    }

    private static func md5(_ bytes: some Collection<UInt8>) -> String {
        Array(bytes).withUnsafeBytes { DigestAlgorithm.md5.digest($0) }.hex
    }

    public func listObjects(bucket: String, prefix: String?) async throws -> [String] {
        try enter("ListObjectsV2")
        return state.withLock { $0.objects.keys.filter { $0.hasPrefix(prefix ?? "") }.sorted() }
    }
}
