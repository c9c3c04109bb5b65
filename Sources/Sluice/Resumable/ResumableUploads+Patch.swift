import Filters
import Foundation
import HummingbirdCore
import NIOCore
import S3
import Storage

extension ResumableUploads {
    /// What a PATCH (or a POST with data) brings, checked before its body is read.
    struct Append {
        let offset: Int64
        /// `Upload-Length` sent later, for an upload created with a deferred length.
        let length: Int64?
        let checksum: UploadChecksum?

        /// `creating`: the body of the POST that created `record`, which starts at 0.
        init(_ request: Request, record: ResumableRecord, creating: Bool) throws(APIError) {
            let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard type == Tus.offsetStream else {
                throw APIError(status: 415, error: "unsupported_media_type", message: "the body of a tus PATCH must be Content-Type: \(Tus.offsetStream)")
            }
            if creating {
                offset = 0
                length = nil
                checksum = try UploadChecksum(header: request.headers[.uploadChecksum])
                return
            }
            guard let text = request.headers[.uploadOffset], let offset = Int64(text), offset >= 0 else {
                throw APIError(status: 400, error: "bad_offset", message: "Upload-Offset must be the number of bytes the upload has")
            }
            guard offset == record.offset else {
                throw APIError(status: 409, error: "offset_mismatch", message: "the upload has \(record.offset) bytes; this request starts at \(offset)")
            }
            self.offset = offset
            if let text = request.headers[.uploadLength] {
                guard let length = Int64(text), length >= offset else {
                    throw APIError(status: 400, error: "bad_length", message: "Upload-Length must be a number of bytes, at least the upload's offset")
                }
                if let known = record.length, known != length {
                    throw APIError(status: 400, error: "bad_length", message: "the upload's length is \(known) already")
                }
                self.length = length
            } else {
                self.length = nil
            }
            checksum = try UploadChecksum(header: request.headers[.uploadChecksum])
        }
    }

    /// The most this request's body may carry: up to the upload's length (or the route's
    /// maximum while the length is deferred).
    func remaining(_ record: ResumableRecord, append: Append, route: UploadRoute, grant: UploadGrant) -> Int64 {
        (append.length ?? record.length ?? maxLength(route, grant: grant)) - record.offset
    }

    /// A request that brings more than ``remaining(_:append:route:grant:)``.
    func pastItsLength(_ record: ResumableRecord, append: Append, route: UploadRoute, grant: UploadGrant) -> APIError {
        let offset = ByteSize.format(record.offset), more = ByteSize.format(remaining(record, append: append, route: route, grant: grant))
        let length = append.length ?? record.length
        return APIError.tooLarge(
            "upload_too_large",
            length.map { "the request goes past the upload's length (\(ByteSize.format($0))): it has \(offset), and \(more) more may come" }
                ?? "the request goes past this route's limit: the upload has \(offset), and \(more) more may come")
    }

    /// Appends the request's body to upload `record.id`. Whatever ends the body early (the
    /// client gone, too slow, a shutdown, a storage failure) keeps what arrived, so the client
    /// resumes from there; a refusal by the chain ends the upload with nothing left; a
    /// checksum that does not match drops this request's bytes.
    func append(
        _ append: Append, to record: ResumableRecord, route: UploadRoute, grant: UploadGrant, stream: RequestStream
    ) async -> UploadHandler.Outcome {
        // One part buffer for this request, out of the memory every upload shares.
        var reserved = 0
        if let budget {
            do {
                reserved = try await budget.reserve(record.partSize)
            } catch {
                return ResumableUploads.failure(ResumableUploads.apiError(error, file: nil))
            }
        }
        defer { budget?.endReservation(reserved) }
        var writer: ResumableWriter
        do {
            writer = try await ResumableWriter.open(
                record.id, store: store(for: route), settings: settings, chain: chain(route, grant: grant), resources: resources,
                leaseDuration: .seconds(route.config.resumable!.leaseSeconds))
        } catch {
            return ResumableUploads.failure(ResumableUploads.apiError(error, file: nil))
        }
        // The record may have moved between the first read and the lease.
        guard writer.offset == append.offset else {
            await release(writer)
            return ResumableUploads.failure(APIError(status: 409, error: "offset_mismatch", message: "the upload has \(writer.offset) bytes; this request starts at \(append.offset)"))
        }
        if let length = append.length {
            do {
                try writer.declare(length: length)
            } catch {
                await release(writer)
                return ResumableUploads.failure(ResumableUploads.apiError(error, file: nil))
            }
        }
        var checksum = append.checksum
        var ending: (any Error)?
        do {
            while let chunk = try await stream.next() {
                checksum?.update(chunk)
                try await writer.write(chunk)
            }
        } catch {
            ending = error
        }
        let file = writer.upload.filename
        metrics.received(route: route.path, bytes: writer.offset - append.offset)
        if let rejection = ending as? Rejection {
            await writer.abandon()
            metrics.rejected(filter: rejection.filter, code: rejection.code)
            return ResumableUploads.failure(.rejected(rejection, file: file))
        }
        if var checksum, ending != nil || !checksum.matches() {
            // Bytes that cannot be checked are not kept: the offset stays where it was.
            await release(writer)
            let error = ending.map { ResumableUploads.endingError($0, file: file) }
                ?? APIError(status: 460, error: "checksum_mismatch", message: "the body's \(checksum.algorithm) is not the one in Upload-Checksum; its bytes were dropped")
            return ResumableUploads.failure(error)
        }
        if let ending {
            _ = await pause(writer)
            return ResumableUploads.failure(ResumableUploads.endingError(ending, file: file))
        }
        if let length = writer.record.length, writer.offset == length {
            return await finish(&writer, route: route, grant: grant)
        }
        guard let kept = await pause(writer) else {
            return ResumableUploads.failure(APIError(status: 502, error: "storage_failed", message: "the upload's progress could not be saved; resume from HEAD's Upload-Offset"))
        }
        var reply = Reply(status: .noContent)
        ResumableUploads.describe(kept, into: &reply)
        return UploadHandler.Outcome(reply: reply, kind: .paused)
    }

    /// Keeps what arrived; if that cannot be saved, the lease goes back with the record as it
    /// was, so the upload resumes from its last saved offset. Runs even when cancelled.
    private func pause(_ writer: ResumableWriter) async -> ResumableRecord? {
        let handoff = Handoff(writer)
        return await Task.detached {
            var writer = handoff.value
            do {
                return try await writer.pause()
            } catch {
                try? await writer.discard()
                return nil
            }
        }.value
    }

    /// Lets the lease go, dropping what this request sent. Runs even when cancelled.
    private func release(_ writer: ResumableWriter) async {
        let handoff = Handoff(writer)
        await Task.detached {
            var writer = handoff.value
            try? await writer.discard()
        }.value
    }

    /// The last byte arrived: the object stored, the app told, the answer with its key and
    /// digests. A refusal by the chain or the app leaves nothing; a storage failure leaves the
    /// upload as this request found it.
    private func finish(_ writer: inout ResumableWriter, route: UploadRoute, grant: UploadGrant) async -> UploadHandler.Outcome {
        let object: StoredObject
        do {
            object = try await writer.finish()
        } catch let rejection as Rejection {
            await writer.abandon()
            metrics.rejected(filter: rejection.filter, code: rejection.code)
            return ResumableUploads.failure(.rejected(rejection, file: writer.upload.filename))
        } catch {
            // The storage failed at the end: the upload goes back to where this request found
            // it, and the client sends the rest again.
            await release(writer)
            return ResumableUploads.failure(ResumableUploads.apiError(error, file: writer.upload.filename))
        }
        metrics.stored(route: route.path, bytes: object.size)
        let file = StoredFile(report: UploadReport(chain: route.config.chain, upload: writer.upload, rejection: nil), object: object)
        var reply = Reply(status: .noContent)
        reply.headers[.uploadOffset] = String(writer.offset)
        reply.headers[.sluiceKey] = object.key
        if let type = writer.upload.contentType { reply.headers[.sluiceContentType] = type }
        if let disposition = writer.upload.contentDisposition { reply.headers[.sluiceContentDisposition] = disposition }
        reply.headers[.sluiceDigests] = writer.upload.digests.entries.map { "\($0.algorithm)=\($0.hex)" }.joined(separator: ", ")
        var json = JSON.object([("code", 201), ("files", .array([file.json])), ("fields", .object([]))])
        do {
            if let signer = grant.receipts, case .object(var members) = json {
                let receipt = try await signer.sign([file], route: route.path, subject: grant.subject, requestId: grant.requestId)
                reply.headers[.sluiceReceipt] = receipt
                members.append(("receipt", .string(receipt)))
                json = .object(members)
            }
            if let webhook = route.webhook {
                try await webhook.stored(UploadHandler.webhookData(json, route: route, grant: grant))
            }
        } catch {
            let s3 = self.s3, bucket = settings.bucket
            await Task.detached { try? await s3.deleteObject(bucket: bucket, key: object.key, versionId: object.versionId) }.value
            let apiError = error as? APIError ?? APIError(status: 500, error: "internal_error", message: "the receipt could not be signed: \(error)")
            return ResumableUploads.failure(apiError)
        }
        return UploadHandler.Outcome(reply: reply, files: [file], kind: .stored)
    }

    /// Why a body ended early; an error that is none of ours is the connection breaking off.
    static func endingError(_ error: any Error, file: String?) -> APIError {
        switch error {
        case is APIError, is Rejection, is S3Error, is S3ConnectionError, is CancellationError, is ResumableStoreError, is ResumableWriteError:
            apiError(error, file: file)
        default:
            APIError(status: 400, error: "incomplete_request", message: "the request body was cut off before its end; what arrived is kept")
        }
    }

    static func failure(_ error: APIError) -> UploadHandler.Outcome {
        let kind: UploadHandler.Outcome.Kind =
            switch error.status {
            case _ where error.filter != nil: .rejected
            case 413: .tooLarge
            case 400 where error.error == "incomplete_request": .disconnected
            case 400, 409, 415, 460: .malformed
            case 408: .tooSlow
            case 503: .cancelled
            default: .failed
            }
        return UploadHandler.Outcome(reply: .error(error), error: error, kind: kind)
    }
}

/// Hands a writer to a detached task that outlives the request's cancellation: the request
/// gives it up, so one task holds it at a time.
private struct Handoff: @unchecked Sendable {
    let value: ResumableWriter
    init(_ value: ResumableWriter) { self.value = value }
}
