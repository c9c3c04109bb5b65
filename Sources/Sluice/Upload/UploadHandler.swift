import Filters
import HTTPTypes
import HummingbirdCore
import Logging
import Multipart
import NIOCore
import S3
import Storage

/// Runs uploads: a multipart form (each file part through its own chain into its own object)
/// or a raw body. The request is all or nothing.
struct UploadHandler: Sendable {
    let sink: any Sink
    let metrics: ServerMetrics
    let resources: FilterResources

    // MARK: - POST multipart/form-data

    func form(_ request: Request, route: UploadRoute, grant: UploadGrant, stream: RequestStream, logger: Logger) async -> Outcome {
        let boundary: String
        do {
            boundary = try MultipartBoundary.parse(contentType: request.headers[.contentType])
        } catch {
            return failure(APIError.malformed(error.message), form: true)
        }
        let reader = MultipartReader(boundary: boundary, source: stream.iteratorView)
        let session = UploadSession(sink: sink, logger: logger)
        var files = 0, fields = 0
        // What the fields will take in the answer, which echoes them JSON-escaped.
        var fieldsBytes: Int64 = 0
        do {
            while let part = try await reader.nextPart() {
                if part.isFile {
                    // An empty file input sends a part with no filename and no bytes: skip it.
                    let first = try await reader.nextChunk()
                    if part.filename == "", first == nil { continue }
                    files += 1
                    guard files <= grant.maxFiles else {
                        throw APIError.tooLarge("too_many_files", "at most \(grant.maxFiles) file\(grant.maxFiles == 1 ? "" : "s") per request")
                    }
                    let upload = Upload(declaredType: part.contentType, filename: part.filename.flatMap { $0.isEmpty ? nil : $0 }, field: part.name)
                    let body = PrefixedBody(first: first, rest: reader.partBody)
                    try await store(upload, from: body, route: route, grant: grant, into: session)
                } else {
                    fields += 1
                    guard fields <= route.config.maxFields else {
                        throw APIError.tooLarge("too_many_fields", "at most \(route.config.maxFields) field\(route.config.maxFields == 1 ? "" : "s") per request")
                    }
                    let value = try await fieldValue(part, reader: reader, limit: route.config.maxFieldBytes)
                    fieldsBytes += Int64(JSON.string(part.name).text.utf8.count + JSON.string(value).text.utf8.count)
                    guard fieldsBytes <= route.config.maxFieldsBytes else {
                        throw APIError.tooLarge(
                            "fields_too_large", "the text fields together are larger than \(ByteSize.format(route.config.maxFieldsBytes)) (as echoed in the answer, JSON-escaped)")
                    }
                    session.add(field: part.name, value: value)
                }
            }
            guard !session.files.isEmpty else {
                throw APIError(status: 400, error: "no_file", message: "the form has no file part (a part with a filename)")
            }
            // The epilogue after the closing boundary (usually a CRLF): read it, so the
            // connection can serve the next request.
            _ = await stream.drain(maxBytes: 64 << 10)
            return try await stored(session, route: route, grant: grant)
        } catch {
            await session.rollback()
            return failure(error, form: true)
        }
    }

    private func fieldValue(_ part: MultipartPart, reader: MultipartReader, limit: Int64) async throws -> String {
        var bytes: [UInt8] = []
        while let chunk = try await reader.nextChunk() {
            guard Int64(bytes.count + chunk.readableBytes) <= limit else {
                throw APIError.tooLarge("field_too_large", "the field \"\(part.name)\" is larger than \(ByteSize.format(limit))")
            }
            bytes += chunk.readableBytesView
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw APIError.malformed("the field \"\(part.name)\" is not UTF-8 text")
        }
        return text
    }

    // MARK: - PUT raw body

    func raw(_ request: Request, route: UploadRoute, grant: UploadGrant, filename: String, stream: RequestStream, logger: Logger) async -> Outcome {
        let session = UploadSession(sink: sink, logger: logger)
        let length = request.headers[.contentLength].flatMap { Int64($0) }
        let upload = Upload(declaredType: request.headers[.contentType], filename: filename, field: nil, declaredLength: length)
        do {
            try await store(upload, from: stream.sequence, route: route, grant: grant, into: session)
            return try await stored(session, route: route, grant: grant)
        } catch {
            await session.rollback()
            return failure(error)
        }
    }

    // MARK: -

    /// One file through the route's chain (and the token's checks) into storage under the
    /// grant's key and metadata; a rejection is thrown as an APIError.
    private func store(
        _ upload: Upload, from body: some AsyncSequence<ByteBuffer, any Error>, route: UploadRoute, grant: UploadGrant, into session: UploadSession
    ) async throws {
        var upload = upload
        upload.head.metadata = grant.metadata
        let key = grant.key(route.keyTemplate.render(upload))
        let chain = grant.checksFiles ? try TokenPolicyFilter.chain(route.chain, grant: grant) : route.chain
        let outcome = try await chain.run(upload, from: body, into: sink, key: key, resources: resources)
        metrics.received(route: route.path, bytes: outcome.report.upload.bytesIn)
        if let rejection = outcome.report.rejection {
            metrics.rejected(filter: rejection.filter, code: rejection.code)
            throw APIError.rejected(rejection, file: upload.filename)
        }
        guard let stored = outcome.stored else { throw APIError(status: 500, error: "internal_error", message: "the sink stored nothing") }
        metrics.stored(route: route.path, bytes: stored.size)
        session.add(StoredFile(report: outcome.report, object: stored))
    }

    /// The 201, with a signed receipt of what was stored when the route's tokens have a secret,
    /// once the app's `await` webhook (if any) has taken it.
    private func stored(_ session: UploadSession, route: UploadRoute, grant: UploadGrant) async throws -> Outcome {
        var json = session.json
        if let signer = grant.receipts, case .object(var members) = json {
            let receipt: String
            do {
                receipt = try await signer.sign(session.files, route: route.path, subject: grant.subject, requestId: grant.requestId)
            } catch {
                throw APIError(status: 500, error: "internal_error", message: "the receipt could not be signed: \(error)")
            }
            members.append(("receipt", .string(receipt)))
            json = .object(members)
        }
        if let webhook = route.webhook {
            try await webhook.stored(UploadHandler.webhookData(json, route: route, grant: grant))
        }
        return Outcome(reply: .json(201, json), files: session.files, kind: .stored)
    }

    /// A webhook's `data`: what the client gets, and who sent it where.
    static func webhookData(_ answer: JSON, route: UploadRoute, grant: UploadGrant) -> JSON {
        guard case .object(var members) = answer else { return answer }
        members += [
            ("sub", .string(grant.subject)), ("route", .string(route.path)), ("requestId", .string(grant.requestId)),
            ("clientAddress", .string(grant.clientAddress)),
        ]
        return .object(members)
    }

    /// The answer for a failed request, and how to count it.
    private func failure(_ error: any Error, form: Bool = false) -> Outcome {
        let (apiError, kind): (APIError, Outcome.Kind) =
            switch error {
            case let error as APIError:
                (error, error.filter != nil ? .rejected : error.status == 413 ? .tooLarge : error.status == 400 ? .malformed : error.status == 408 ? .tooSlow : .failed)
            case let error as MultipartError:
                (.malformed(error.message), .malformed)
            case let error as S3Error:
                (APIError(status: 502, error: "storage_failed", message: "the storage refused the upload: \(error.code): \(error.message)"), .failed)
            case let error as S3ConnectionError:
                (APIError(status: 502, error: "storage_unreachable", message: "the storage did not answer: \(error.reason)"), .failed)
            case let error as S3UploadError:
                (APIError(status: 413, error: "too_large_for_storage", message: error.description), .tooLarge)
            case let error as FilterFailure:
                (APIError(status: 500, error: "internal_error", message: error.description, filter: error.filter), .failed)
            case let error as MemoryBudget.Exhausted:
                (.overloaded("every byte of the server's upload memory is in use (waited \(error.waited.secondsText) s); try again shortly", retryAfter: 5), .overloaded)
            case is CancellationError:
                (APIError(status: 503, error: "shutting_down", message: "the server is shutting down"), .cancelled)
            default:
                // The request body broke off before its end: the client went away or half-closed.
                (APIError(status: 400, error: form ? "malformed_multipart" : "incomplete_request", message: "the request body was cut off before its end (truncated)"), .disconnected)
            }
        return Outcome(reply: .error(apiError), error: apiError, kind: kind)
    }
}

/// A part's body whose first chunk was already read.
struct PrefixedBody<Rest: AsyncSequence<ByteBuffer, any Error>>: AsyncSequence {
    typealias Element = ByteBuffer
    typealias Failure = any Error
    let first: ByteBuffer?
    let rest: Rest

    func makeAsyncIterator() -> Iterator { Iterator(first: first, rest: rest.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var first: ByteBuffer?
        var rest: Rest.AsyncIterator
        mutating func next() async throws -> ByteBuffer? {
            if let chunk = first {
                first = nil
                return chunk
            }
            return try await rest.next()
        }
    }
}
