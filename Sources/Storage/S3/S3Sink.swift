import Filters
import Foundation
import NIOCore
import S3
import Synchronization

/// The S3 end of a chain. An object that fits in one part is one PutObject; a larger one is a
/// multipart upload whose parts are sent as they fill, at most `concurrency` at a time. When
/// every slot is busy the sink stops pulling, so the client's socket feels it. On any failure
/// the multipart upload is aborted, even when the task was cancelled: nothing is left behind.
public final class S3Sink: Sink {
    public let client: any S3API
    public let settings: S3UploadSettings
    /// Shared across uploads (the server's `maxBufferedBytes`), or nil for no limit.
    public let budget: MemoryBudget?
    /// Told about problems that cannot be thrown, such as an abort that failed.
    private let warn: @Sendable (String) -> Void
    private let pool: PartBufferPool

    public init(client: any S3API, settings: S3UploadSettings, budget: MemoryBudget? = nil, warn: @escaping @Sendable (String) -> Void = S3Sink.printWarning) {
        self.client = client
        self.settings = settings
        self.budget = budget
        self.warn = warn
        // Enough idle buffers for one upload at full speed, or for what the budget allows.
        let perUpload = settings.concurrency + 1
        self.pool = PartBufferPool(partSize: settings.partSize, keep: budget.map { Swift.max(perUpload, $0.limit / settings.partSize) } ?? perUpload, budget: budget)
    }

    public static let printWarning: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    public func store(_ body: inout ChainOutput, key: String) async throws -> StoredObject {
        let largest = PartSizing.largestPart(configured: settings.partSize, budget: budget?.limit)
        let declared = body.upload.declaredLength
        // A claim the store cannot hold is refused before a byte is read. After a transform
        // the claim says nothing about what is stored: a part count past S3's limit stops it.
        let capacity = Swift.min(PartSizing.maximumObjectSize, Int64(largest) * Int64(settings.maximumParts))
        if let declared, declared > capacity, !body.chain.transformsBytes {
            throw S3UploadError.tooLarge(declared: declared, capacity: capacity)
        }
        let partSize = PartSizing.partSize(configured: settings.partSize, declaredLength: declared, largest: largest)
        var producer = PartProducer(partSize: partSize, budget: budget, pool: pool, checksum: settings.checksum)
        guard var first = try await producer.next(from: &body) else {
            return try await put(Part(budget: nil), key: key, head: body.head)
        }
        let complete: Bool
        do {
            complete = try await producer.isAtEnd(&body)
        } catch {
            first.release()
            throw error
        }
        if complete {
            defer { first.release() }
            return try await put(first, key: key, head: body.head)
        }
        return try await multipart(first: OwnedPart(consume first), producer: &producer, body: &body, key: key, partSize: partSize)
    }

    public func remove(_ object: StoredObject) async throws {
        try await client.deleteObject(bucket: object.bucket ?? settings.bucket, key: object.key, versionId: object.versionId)
    }

    private func put(_ part: Part, key: String, head: ObjectHead?) async throws -> StoredObject {
        let result = try await client.putObject(bucket: settings.bucket, key: key, body: part.bytes, attributes: attributes(head), checksum: settings.checksum, digest: part.digest, condition: nil)
        return StoredObject(key: key, bucket: settings.bucket, etag: result.etag, versionId: result.versionId, size: Int64(part.bytes.readableBytes), parts: 1)
    }

    private func multipart(first: OwnedPart, producer: inout PartProducer, body: inout ChainOutput, key: String, partSize: Int) async throws -> StoredObject {
        // The chain sealed the headers with the first byte: they are final now.
        let uploadId: String
        do {
            uploadId = try await client.createMultipartUpload(bucket: settings.bucket, key: key, attributes: attributes(body.head), checksum: settings.checksum)
        } catch {
            first.drop()
            throw error
        }
        var size: Int64 = 0
        // Set once CompleteMultipartUpload is asked for: only then can an object be this upload's.
        var completing: [S3Client.CompletedPart]?
        let concurrency = PartSizing.concurrency(configured: settings.concurrency, partSize: partSize, budget: budget?.limit)
        do {
            let parts = try await withThrowingTaskGroup(of: S3Client.CompletedPart.self) { group in
                var completed: [S3Client.CompletedPart] = []
                var inFlight = 0
                var number = 0
                var next: OwnedPart? = first
                while let part = next.take() {
                    number += 1
                    if number > settings.maximumParts {
                        part.drop()
                        throw S3UploadError.tooManyParts(partSize: partSize, limit: settings.maximumParts)
                    }
                    if inFlight == concurrency {
                        completed.append(try await group.next()!)
                        inFlight -= 1
                    }
                    size += Int64(part.size)
                    let partNumber = number
                    group.addTask { [client, settings] in
                        // Sole owner from here: released (back to the pool) as soon as S3 has it.
                        var bytes = part.take()
                        defer { bytes.release() }
                        return try await client.uploadPart(
                            bucket: settings.bucket, key: key, uploadId: uploadId, number: partNumber, body: bytes.bytes, checksum: settings.checksum,
                            digest: bytes.digest)
                    }
                    inFlight += 1
                    if let filled = try await producer.next(from: &body) { next = OwnedPart(filled) }
                }
                for try await part in group { completed.append(part) }
                // Parts finish in any order; S3 takes the list in ascending part numbers.
                return completed.sorted { $0.number < $1.number }
            }
            completing = parts
            let result = try await client.completeMultipartUpload(bucket: settings.bucket, key: key, uploadId: uploadId, parts: parts, checksum: settings.checksum)
            return StoredObject(key: key, bucket: settings.bucket, etag: result.etag, versionId: result.versionId, size: size, parts: parts.count)
        } catch {
            await abandon(key: key, uploadId: uploadId, completing: completing)
            throw error
        }
    }

    /// Aborts the upload in a task of its own, so that it runs even when ours was cancelled.
    /// `completing`: the parts CompleteMultipartUpload was asked to assemble, if it was.
    private func abandon(key: String, uploadId: String, completing: [S3Client.CompletedPart]?) async {
        let client = self.client, bucket = settings.bucket, warn = self.warn
        await Task.detached {
            do {
                try await client.abortMultipartUpload(bucket: bucket, key: key, uploadId: uploadId)
            } catch let error as S3Error where error.code == "NoSuchUpload" {
                // Gone already: CompleteMultipartUpload may have succeeded before its answer was
                // lost. Never asked, or another object under the key: not this upload's to delete.
                guard let parts = completing, await Self.mayBeAssembled(from: parts, client: client, bucket: bucket, key: key) else { return }
                do {
                    try await client.deleteObject(bucket: bucket, key: key, versionId: nil)
                } catch {
                    warn("could not delete \(bucket)/\(key) after a failed completion: \(error)")
                }
            } catch {
                warn("could not abort multipart upload \(uploadId) of \(bucket)/\(key); a bucket lifecycle rule for incomplete uploads will remove it: \(error)")
            }
        }.value
    }

    /// Whether the object under `key` may be the one `parts` make: yes unless its ETag says
    /// otherwise (parts whose ETags are not MD5s, SSE-KMS and SSE-C, cannot tell).
    private static func mayBeAssembled(from parts: [S3Client.CompletedPart], client: any S3API, bucket: String, key: String) async -> Bool {
        guard MultipartETag.of(parts) != nil else { return true }
        do {
            return MultipartETag.matches(try await client.headObject(bucket: bucket, key: key).etag, parts: parts)
        } catch let error as S3Error where error.status == 404 {
            return false
        } catch {
            return true
        }
    }

    private func attributes(_ head: ObjectHead?) -> ObjectAttributes { settings.objectAttributes(head) }
}

/// A part on its way to the task that uploads it. The task takes the bytes out, so no copy of
/// them stays behind: a part buffer then goes back to the pool with no one else holding it,
/// and is reused rather than reallocated.
final class OwnedPart: Sendable {
    private let slot: Mutex<Part?>
    let size: Int

    init(_ part: consuming Part) {
        size = part.bytes.readableBytes
        slot = Mutex(consume part)
    }

    /// The part, once; its holder must release it.
    func take() -> Part { slot.withLock { $0.take() }! }

    /// Releases a part that will not be sent.
    func drop() {
        var part = slot.withLock { $0.take() }
        part?.release()
    }
}

public enum S3UploadError: Error, Sendable, CustomStringConvertible {
    case tooManyParts(partSize: Int, limit: Int)
    /// The declared length is more than the store can take in parts that fit the memory budget.
    case tooLarge(declared: Int64, capacity: Int64)

    public var description: String {
        switch self {
        case .tooManyParts(let partSize, let limit):
            "the upload needs more than \(limit) parts of \(ByteSize.format(Int64(partSize))) (S3's limit); raise storage.partSize"
        case .tooLarge(let declared, let capacity):
            "the upload is \(ByteSize.format(declared)), more than this server stores in one object (\(ByteSize.format(capacity)): 10,000 parts of at most a quarter of server.maxBufferedBytes)"
        }
    }
}
