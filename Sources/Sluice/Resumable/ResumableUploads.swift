import Checksums
import Filters
import Foundation
import HummingbirdCore
import Logging
import NIOCore
import S3
import Storage

/// The tus 1.0 endpoints of resumable routes: creation, HEAD, PATCH and DELETE, on records
/// kept in the bucket (``ResumableStore``), so that any instance can take any request.
struct ResumableUploads: Sendable {
    let s3: any S3API
    let settings: S3UploadSettings
    let resources: FilterResources
    let metrics: ServerMetrics
    /// `server.maxBufferedBytes`: each PATCH in flight holds one part of it.
    let budget: MemoryBudget?

    func store(for route: UploadRoute) -> ResumableStore {
        ResumableStore(s3: s3, bucket: settings.bucket, prefix: route.config.resumable!.prefix)
    }

    /// The chain an upload runs: the route's, with the token's own checks when it has some.
    func chain(_ route: UploadRoute, grant: UploadGrant) throws -> Chain {
        grant.checksFiles ? try TokenPolicyFilter.chain(route.chain, grant: grant) : route.chain
    }

    /// The longest upload `grant` may make on `route`.
    func maxLength(_ route: UploadRoute, grant: UploadGrant) -> Int64 {
        min(route.config.resumable!.maxLength, grant.maxRequestBytes ?? .max)
    }

    /// Every part but the last: the configured size, larger when the length needs it to stay
    /// within S3's 10,000 parts (deferred lengths are planned for the route's maximum).
    func partSize(length: Int64?, route: UploadRoute, grant: UploadGrant) -> Int {
        let planned = length ?? maxLength(route, grant: grant)
        let needed = (planned + 9_999) / 10_000
        let mebibyte: Int64 = 1 << 20
        return Int(max(Int64(settings.partSize), (needed + mebibyte - 1) / mebibyte * mebibyte))
    }

    /// POST: a new upload. `Upload-Length` or `Upload-Defer-Length: 1`; `Upload-Metadata`'s
    /// `filename` and `filetype` are the declared name and type.
    func create(_ request: Request, route: UploadRoute, grant: UploadGrant, token: String?) async throws(APIError) -> ResumableRecord {
        let limit = maxLength(route, grant: grant)
        let length: Int64?
        switch (request.headers[.uploadLength], request.headers[.uploadDeferLength]) {
        case (let text?, nil):
            guard let value = Int64(text), value >= 0 else { throw APIError(status: 400, error: "bad_length", message: "Upload-Length must be a number of bytes") }
            guard value <= limit else {
                throw APIError.tooLarge("upload_too_large", "the upload is \(ByteSize.format(value)), over this route's limit of \(ByteSize.format(limit))")
            }
            length = value
        case (nil, "1"?):
            length = nil
        default:
            throw APIError(status: 400, error: "bad_length", message: "send Upload-Length, or Upload-Defer-Length: 1 when the length is not known yet")
        }
        let metadata = try UploadMetadata.parse(request.headers[.uploadMetadata])
        // tus-js-client sends filename and filetype; Uppy also name and type.
        var upload = Upload(
            declaredType: metadata["filetype"] ?? metadata["type"], filename: metadata["filename"] ?? metadata["name"], field: nil, declaredLength: length)
        upload.head.metadata = grant.metadata
        let id = ResumableUploads.newId()
        let now = Date()
        var record = ResumableRecord(
            id: id, key: grant.key(route.keyTemplate.render(upload)), length: length, metadata: metadata,
            partSize: partSize(length: length, route: route, grant: grant), created: now,
            expires: now.addingTimeInterval(route.config.resumable!.expiresAfter))
        record.boundToken = token.map(ResumableUploads.tokenDigest)
        do {
            return try await ResumableWriter.create(record, upload: upload, store: store(for: route), chain: chain(route, grant: grant), resources: resources).record
        } catch {
            throw ResumableUploads.apiError(error, file: upload.filename)
        }
    }

    /// The record of upload `id`, checked against the request's token and its expiry. An
    /// expired upload is removed here.
    func record(_ id: String, route: UploadRoute, token: String?) async throws(APIError) -> ResumableRecord {
        let record: ResumableRecord
        do {
            record = try await store(for: route).read(id).record
        } catch {
            throw ResumableUploads.apiError(error, file: nil)
        }
        if let bound = record.boundToken, token.map(ResumableUploads.tokenDigest) != bound {
            throw APIError(status: 403, error: "token_not_for_upload", message: "this upload was created with another upload token; its requests must bring that one")
        }
        if record.expires <= Date() {
            await store(for: route).remove(record, bucket: settings.bucket)
            throw APIError(status: 410, error: "upload_expired", message: "upload \(id) expired at \(Tus.httpDate(record.expires)) and was removed")
        }
        return record
    }

    /// DELETE: the upload ends with nothing stored. A request writing it now keeps it (423).
    func terminate(_ id: String, route: UploadRoute, token: String?) async throws(APIError) {
        _ = try await record(id, route: route, token: token)
        let store = store(for: route)
        do {
            let leased = try await store.acquire(id, owner: UUID.random().uuidString, for: .seconds(route.config.resumable!.leaseSeconds))
            await store.remove(leased.record, bucket: settings.bucket)
        } catch {
            throw ResumableUploads.apiError(error, file: nil)
        }
    }

    /// The headers that describe an upload in HEAD, PATCH and POST answers.
    static func describe(_ record: ResumableRecord, into reply: inout Reply) {
        reply.headers[.uploadOffset] = String(record.offset)
        if let length = record.length { reply.headers[.uploadLength] = String(length) } else { reply.headers[.uploadDeferLength] = "1" }
        reply.headers[.uploadExpires] = Tus.httpDate(record.expires)
        if !record.metadata.isEmpty {
            reply.headers[.uploadMetadata] = record.metadata.sorted { $0.key < $1.key }
                .map { $0.value.isEmpty ? $0.key : "\($0.key) \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ",")
        }
    }

    /// 128 random bits, hex: an upload's id, which is also its URL.
    static func newId() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(to: 16) }.joined()
    }

    static func tokenDigest(_ token: String) -> String {
        var hasher = DigestAlgorithm.sha256.makeHasher()
        Array(token.utf8).withUnsafeBytes { hasher.update($0) }
        return hasher.finalize().hex
    }

    /// The answer for what the store, the chain or the storage threw.
    static func apiError(_ error: any Error, file: String?) -> APIError {
        switch error {
        case let error as APIError: error
        case let error as Rejection: .rejected(error, file: file)
        case ResumableStoreError.notFound(let id): APIError(status: 404, error: "upload_not_found", message: "no upload \(id): never created, finished, terminated or expired")
        case ResumableStoreError.locked(let id), ResumableStoreError.leaseLost(let id):
            APIError(status: 423, error: "upload_locked", message: "upload \(id) is being written by another request; try again when it ends", retryAfter: 1)
        case let error as ResumableStoreError: APIError(status: 500, error: "upload_unreadable", message: error.description)
        case let error as ResumableWriteError: APIError(status: 400, error: "bad_length", message: error.description)
        case let error as S3Error: APIError(status: 502, error: "storage_failed", message: "the storage refused: \(error.code): \(error.message)")
        case let error as S3ConnectionError: APIError(status: 502, error: "storage_unreachable", message: "the storage did not answer: \(error.reason)")
        case is CancellationError: APIError(status: 503, error: "shutting_down", message: "the server is shutting down")
        case let error as MemoryBudget.Exhausted:
            .overloaded("every byte of the server's upload memory is in use (waited \(error.waited.secondsText) s); try again shortly", retryAfter: 5)
        default: APIError(status: 500, error: "internal_error", message: "\(error)")
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
