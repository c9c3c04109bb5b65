import Foundation
import NIOCore
import S3

/// Resumable uploads' records in S3, behind ``S3API``: `<prefix><id>.info` for the record,
/// `<prefix><id>.part` for the bytes past the last whole part. Every write of a record is
/// conditional on the version read, so two instances never both write one upload (a store
/// without conditional writes can serve from one instance only).
public struct ResumableStore: Sendable {
    public let s3: any S3API
    public let bucket: String
    /// Where records live, e.g. `.resumable/`.
    public let prefix: String
    /// Largest record accepted on reading (the chain's state holds the sniff window, at most 16 MiB).
    static let recordLimit = 24 << 20

    public init(s3: any S3API, bucket: String, prefix: String) {
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
    }

    func infoKey(_ id: String) -> String { "\(prefix)\(id).info" }
    func pendingKey(_ id: String) -> String { "\(prefix)\(id).part" }

    /// A record with its version, for the conditional write that follows.
    public struct Versioned: Sendable {
        public var record: ResumableRecord
        public var etag: String
    }

    /// Writes a new record; throws ``ResumableStoreError/exists(id:)`` if the id is taken.
    public func create(_ record: ResumableRecord) async throws -> Versioned {
        do {
            return Versioned(record: record, etag: try await write(record, condition: .absent))
        } catch let error as S3Error where error.isConditionFailed {
            throw ResumableStoreError.exists(id: record.id)
        }
    }

    public func read(_ id: String) async throws -> Versioned {
        let body: ByteBuffer, info: ObjectInfo
        do {
            (body, info) = try await s3.getObject(bucket: bucket, key: infoKey(id), limit: ResumableStore.recordLimit)
        } catch let error as S3Error where error.status == 404 {
            throw ResumableStoreError.notFound(id: id)
        }
        let record: ResumableRecord
        do {
            record = try ResumableStore.decoder.decode(ResumableRecord.self, from: Data(body.readableBytesView))
        } catch {
            throw ResumableStoreError.unreadable(id: id, reason: "\(error)")
        }
        guard record.format == 1 else { throw ResumableStoreError.unreadable(id: id, reason: "format \(record.format)") }
        guard let etag = info.etag else { throw ResumableStoreError.unreadable(id: id, reason: "no ETag") }
        return Versioned(record: record, etag: etag)
    }

    /// Writes `record` over the version `etag`; the new version's ETag. Throws the S3 error
    /// (`isConditionFailed`) when someone wrote in between.
    func replace(_ record: ResumableRecord, over etag: String) async throws -> String {
        try await write(record, condition: .matches(etag: etag))
    }

    private func write(_ record: ResumableRecord, condition: WriteCondition) async throws -> String {
        let json = try ResumableStore.encoder.encode(record)
        var attributes = ObjectAttributes()
        attributes.contentType = "application/json"
        let result = try await s3.putObject(
            bucket: bucket, key: infoKey(record.id), body: ByteBuffer(bytes: json), attributes: attributes, checksum: .none, digest: nil,
            condition: condition)
        guard let etag = result.etag else { throw ResumableStoreError.unreadable(id: record.id, reason: "S3 gave no ETag") }
        return etag
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}
