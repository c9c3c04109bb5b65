import Checksums
import Filters
import Foundation
import NIOCore
import S3

/// One request's turn at a resumable upload: it holds the lease, runs the bytes through the
/// chain taken up where the last request left it, and sends parts all of the record's part
/// size but the last. It ends in one of three ways: ``pause()`` keeps everything received
/// (the bytes past the last whole part in `<id>.part`, the chain's state in the record), which
/// is what happens whenever a request ends before the upload does; ``finish()`` stores the
/// object; ``abandon()`` removes every trace.
///
/// Memory: one part buffer, for this request only; nothing stays in memory between requests.
public struct ResumableWriter {
    public let store: ResumableStore
    public let settings: S3UploadSettings
    /// This request's name in the lease.
    public let owner: String
    private let leaseDuration: Duration
    /// The record as stored (and leased): what another instance would resume from.
    private var stored: ResumableStore.Versioned
    /// The record as this request advances it.
    public private(set) var record: ResumableRecord
    private var run: ChainRun
    /// The chain's output not yet sent: less than one part, but for a moment.
    private var pending = ByteBuffer()
    private var renewAt: Date
    /// Set when S3 no longer knows the upload and its key holds an object assembled from parts:
    /// the bytes are then checked against that object rather than sent.
    private var completedEarlier: (object: ObjectInfo, gone: S3Error)?

    /// Bytes received so far, this request's included: the upload's offset.
    public var offset: Int64 { run.upload.bytesIn }
    public var upload: Upload { run.upload }

    /// Takes the lease on upload `id` and resumes its chain. Throws
    /// ``ResumableStoreError/locked(id:)`` while another request holds it.
    public static func open(
        _ id: String, store: ResumableStore, settings: S3UploadSettings, chain: Chain, resources: FilterResources,
        owner: String = UUID.random().uuidString, leaseDuration: Duration = .seconds(120)
    ) async throws -> ResumableWriter {
        let leased = try await store.acquire(id, owner: owner, for: leaseDuration)
        do {
            guard let encoded = leased.record.chainState.flatMap({ Data(base64Encoded: $0) }) else {
                throw ResumableStoreError.unreadable(id: id, reason: "no chain state")
            }
            let run = try chain.resume(try SuspendedRun(decoding: Array(encoded)), resources: resources)
            var pending = ByteBuffer()
            if leased.record.pendingBytes > 0 {
                pending = try await store.s3.getObject(bucket: store.bucket, key: store.pendingKey(id), limit: leased.record.partSize).body
                guard pending.readableBytes == leased.record.pendingBytes else {
                    throw ResumableStoreError.unreadable(id: id, reason: "\(pending.readableBytes) pending bytes where \(leased.record.pendingBytes) were kept")
                }
            }
            return ResumableWriter(store: store, settings: settings, owner: owner, leaseDuration: leaseDuration, stored: leased, run: run, pending: pending)
        } catch {
            // Let the next request have it: the record is as it was, without this lease.
            var released = leased.record
            released.lease = nil
            _ = try? await store.update(released, over: leased.etag, owner: owner)
            throw error
        }
    }

    private init(
        store: ResumableStore, settings: S3UploadSettings, owner: String, leaseDuration: Duration, stored: ResumableStore.Versioned,
        run: ChainRun, pending: ByteBuffer
    ) {
        self.store = store
        self.settings = settings
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.stored = stored
        self.record = stored.record
        self.run = run
        self.pending = pending
        self.renewAt = Date().addingTimeInterval(leaseDuration.inSeconds / 3)
    }

    /// A new upload's record: the chain started (a declared length over a limit is refused
    /// here) and suspended before its first byte.
    public static func create(
        _ record: ResumableRecord, upload: Upload, store: ResumableStore, chain: Chain, resources: FilterResources
    ) async throws -> ResumableStore.Versioned {
        var run = try chain.start(upload, resources: resources)
        var record = record
        record.chainState = Data(try run.suspend().state.encoded()).base64EncodedString()
        return try await store.create(record)
    }

    /// Runs `chunk` through the chain; sends each part as it fills. A ``Rejection`` from the
    /// chain means the upload is over: call ``abandon()``.
    public mutating func write(_ chunk: ByteBuffer) async throws {
        if let length = record.length, offset + Int64(chunk.readableBytes) > length {
            throw ResumableWriteError.pastLength(length)
        }
        if var out = try run.write(chunk) { pending.writeBuffer(&out) }
        try await sendWholeParts()
        if Date() >= renewAt { try await renewLease() }
    }

    /// Keeps what this request received: drains the chain, sends whole parts, keeps the rest
    /// in `<id>.part` and the chain's state and progress in the record, and lets the lease go.
    public mutating func pause() async throws -> ResumableRecord {
        let (suspended, drained) = try run.suspend()
        for var out in drained { pending.writeBuffer(&out) }
        try await sendWholeParts()
        if pending.readableBytes > 0 {
            _ = try await store.s3.putObject(
                bucket: store.bucket, key: store.pendingKey(record.id), body: pending, attributes: ObjectAttributes(), checksum: settings.checksum,
                digest: nil, condition: nil)
        }
        record.pendingBytes = pending.readableBytes
        record.offset = offset
        record.chainState = Data(suspended.encoded()).base64EncodedString()
        record.lease = nil
        stored = try await store.update(record, over: stored.etag, owner: owner)
        return record
    }

    /// Lets the lease go with the record as it was when this request took it: what this
    /// request sent is dropped (a checksum mismatch). Parts it sent past the record's are
    /// replaced by the next request's.
    public mutating func discard() async throws {
        if stored.record.multipartUploadId == nil, let uploadId = record.multipartUploadId {
            // This request began the multipart upload, and the record it goes back to knows
            // nothing of it: abort it rather than leave it to the lifecycle rule.
            try? await store.s3.abortMultipartUpload(bucket: settings.bucket, key: record.key, uploadId: uploadId)
        }
        var released = stored.record
        released.lease = nil
        stored = try await store.update(released, over: stored.etag, owner: owner)
    }

    /// The input is complete: finishes the chain and stores the object; the record and the
    /// pending bytes are removed. On a ``Rejection``, call ``abandon()``; on a storage
    /// failure, ``discard()`` (the upload resumes from where this request found it).
    public mutating func finish() async throws -> StoredObject {
        if let length = record.length, offset != length { throw ResumableWriteError.shortOfLength(offset: offset, length: length) }
        for var out in try run.finish() { pending.writeBuffer(&out) }
        let attributes = settings.objectAttributes(run.sealedHead)
        let stored: StoredObject
        if record.multipartUploadId == nil {
            // Never a whole part: one PutObject.
            let result = try await store.s3.putObject(
                bucket: settings.bucket, key: record.key, body: pending, attributes: attributes, checksum: settings.checksum, digest: nil, condition: nil)
            stored = StoredObject(key: record.key, bucket: settings.bucket, etag: result.etag, versionId: result.versionId, size: run.upload.bytesOut)
        } else {
            try await sendWholeParts()
            if pending.readableBytes > 0 { try await send(pending.getSlice(at: pending.readerIndex, length: pending.readableBytes)!) }
            let parts = record.parts.map { S3Client.CompletedPart(number: $0.number, etag: $0.etag, checksum: $0.checksum, etagIsMD5: $0.etagIsMD5) }
            if let earlier = completedEarlier {
                // The bytes were the same if the object's ETag is the one these parts make.
                guard MultipartETag.matches(earlier.object.etag, parts: parts) else { throw earlier.gone }
                stored = StoredObject(
                    key: record.key, bucket: settings.bucket, etag: earlier.object.etag, versionId: earlier.object.versionId,
                    size: run.upload.bytesOut, parts: parts.count)
            } else {
                let result = try await store.s3.completeMultipartUpload(
                    bucket: settings.bucket, key: record.key, uploadId: record.multipartUploadId!, parts: parts, checksum: settings.checksum)
                stored = StoredObject(
                    key: record.key, bucket: settings.bucket, etag: result.etag, versionId: result.versionId, size: run.upload.bytesOut,
                    parts: parts.count)
            }
        }
        await removeRecord()
        return stored
    }

    /// Ends the upload with nothing stored: the multipart upload aborted, the record and the
    /// pending bytes removed. Runs to the end even when the task was cancelled.
    public func abandon() async {
        await store.remove(record, bucket: settings.bucket)
    }

    private func removeRecord() async {
        var record = self.record
        record.multipartUploadId = nil
        await store.remove(record, bucket: settings.bucket)
    }

    /// Sets the length an upload created with `Upload-Defer-Length` left open.
    public mutating func declare(length: Int64) throws {
        guard record.length == nil || record.length == length else { throw ResumableWriteError.lengthChanged(record.length!) }
        guard length >= offset else { throw ResumableWriteError.shortOfLength(offset: offset, length: length) }
        record.length = length
    }

    private mutating func sendWholeParts() async throws {
        while pending.readableBytes >= record.partSize {
            // Taken from the buffer only once sent: a part that fails stays for the next try.
            try await send(pending.getSlice(at: pending.readerIndex, length: record.partSize)!)
            pending.moveReaderIndex(forwardBy: record.partSize)
        }
        if pending.readerIndex > 0 { pending.discardReadBytes() }
    }

    private mutating func send(_ part: ByteBuffer) async throws {
        if record.multipartUploadId == nil {
            record.multipartUploadId = try await store.s3.createMultipartUpload(
                bucket: settings.bucket, key: record.key, attributes: settings.objectAttributes(run.sealedHead), checksum: settings.checksum)
            // Into the stored record before any part: if this process dies now, expiry and
            // termination still find the upload to abort.
            try await renewLease()
        }
        let number = record.parts.count + 1
        if completedEarlier == nil {
            do {
                let sent = try await store.s3.uploadPart(
                    bucket: settings.bucket, key: record.key, uploadId: record.multipartUploadId!, number: number, body: part,
                    checksum: settings.checksum, digest: nil)
                record.parts.append(ResumableRecord.Part(number: number, etag: sent.etag, checksum: sent.checksum, etagIsMD5: sent.etagIsMD5))
                return
            } catch let gone as S3Error where gone.code == "NoSuchUpload" {
                // An earlier request may have completed the upload and never heard so (its answer
                // lost, or its instance gone before the record was): the client then sends the
                // same bytes again. Only an object assembled from parts can be that one, and only
                // parts whose ETags are their MD5s can tell.
                guard record.parts.allSatisfy(\.etagIsMD5),
                    let object = try? await store.s3.headObject(bucket: settings.bucket, key: record.key),
                    MultipartETag.isOfAssembledObject(object.etag)
                else { throw gone }
                completedEarlier = (object, gone)
            }
        }
        // Checked, not sent: S3's ETag of a part is its MD5, and ``finish()`` compares the whole.
        let md5 = part.withUnsafeReadableBytes { DigestAlgorithm.md5.digest($0) }
        record.parts.append(ResumableRecord.Part(number: number, etag: md5.hex, checksum: nil))
    }

    /// Extends the lease on the record as stored (not this request's progress: until it
    /// pauses, another instance must resume from the last consistent state).
    private mutating func renewLease() async throws {
        var renewed = stored.record
        renewed.lease = ResumableRecord.Lease(owner: owner, until: Date().addingTimeInterval(leaseDuration.inSeconds))
        renewed.multipartUploadId = record.multipartUploadId
        stored = try await store.update(renewed, over: stored.etag, owner: owner)
        renewAt = Date().addingTimeInterval(leaseDuration.inSeconds / 3)
    }
}

/// A request that does not fit the upload's declared length.
public enum ResumableWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    case pastLength(Int64)
    case shortOfLength(offset: Int64, length: Int64)
    case lengthChanged(Int64)

    public var description: String {
        switch self {
        case .pastLength(let length): "the bytes go past the upload's length of \(length)"
        case .shortOfLength(let offset, let length): "the upload has \(offset) of its \(length) bytes"
        case .lengthChanged(let length): "the upload's length is \(length) already"
        }
    }
}
