import Filters
import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import Storage

extension Dispatcher {
    /// A resumable route's tus endpoint: `<route>/tus` creates, `<route>/tus/<id>` is one upload.
    /// It comes before the route's own `PUT <route>/<filename>`, which cannot be named `tus`.
    func matchResumable(_ path: String) -> (UploadRoute, String?)? {
        for route in routes where route.config.resumable != nil {
            let base = route.path + "/" + Tus.segment
            if path == base { return (route, nil) }
            if path.hasPrefix(base + "/") {
                let id = String(path.dropFirst(base.count + 1))
                if !id.isEmpty, !id.contains("/") { return (route, id) }
            }
        }
        return nil
    }

    /// Answers a tus request. Every answer says `Tus-Resumable`; a request for another
    /// protocol version gets 412.
    func tus(
        _ request: Request, resumable: ResumableUploads, route: UploadRoute, id: String?, sink: ResponseSink, origin: String?,
        requestId: String
    ) async throws {
        let config = route.config.resumable!
        if request.method == .options {
            if request.headers[.accessControlRequestMethod] != nil {
                return try await send(cors.preflight(request.head, tus: true), to: sink, origin: nil, requestId: requestId)
            }
            var reply = Reply(status: .noContent)
            reply.headers[.tusVersion] = Tus.version
            reply.headers[.tusExtension] = Tus.extensions.joined(separator: ",")
            reply.headers[.tusMaxSize] = String(min(config.maxLength, route.config.maxRequestBytes ?? .max))
            reply.headers[.tusChecksumAlgorithm] = UploadChecksum.algorithms.map(\.name).joined(separator: ",")
            return try await send(Dispatcher.tusReply(reply), to: sink, origin: origin, requestId: requestId)
        }
        var reply: Reply
        if request.headers[.tusResumable] != Tus.version {
            reply = .error(APIError(status: 412, error: "unsupported_tus_version", message: "this endpoint speaks tus \(Tus.version); send Tus-Resumable: \(Tus.version)"))
            reply.headers[.tusVersion] = Tus.version
        } else {
            switch (request.method, id) {
            case (.post, nil):
                return try await tusTransfer(request, resumable: resumable, route: route, id: nil, sink: sink, origin: origin, requestId: requestId)
            case (.patch, let id?):
                return try await tusTransfer(request, resumable: resumable, route: route, id: id, sink: sink, origin: origin, requestId: requestId)
            case (.head, let id?):
                reply = await tusHead(request, id: id, resumable: resumable, route: route)
            case (.delete, let id?):
                reply = await tusDelete(request, id: id, resumable: resumable, route: route)
            default:
                reply = .error(APIError(status: 405, error: "method_not_allowed", message: id == nil ? "create an upload with POST" : "use HEAD, PATCH or DELETE on an upload"))
                reply.headers[.allow] = id == nil ? "POST, OPTIONS" : "HEAD, PATCH, DELETE, OPTIONS"
            }
        }
        try await sendEarly(Dispatcher.tusReply(reply), to: sink, request: request, stream: nil, origin: origin, requestId: requestId)
    }

    /// What the request's token allows, without spending it: a later request of an upload.
    private func tusGrant(_ request: Request, route: UploadRoute) async -> Result<UploadGrant, APIError> {
        guard let auth = route.auth else { return .success(UploadGrant(route: route.config)) }
        return await auth.authorize(request, route: route.config, configuredMetadata: route.configuredMetadata, spendingToken: false)
    }

    private func tusHead(_ request: Request, id: String, resumable: ResumableUploads, route: UploadRoute) async -> Reply {
        do throws(APIError) {
            _ = try await tusGrant(request, route: route).get()
            let record = try await resumable.record(id, route: route, token: RouteAuth.token(in: request))
            var reply = Reply(status: .ok)
            ResumableUploads.describe(record, into: &reply)
            return reply
        } catch {
            return .error(error)
        }
    }

    private func tusDelete(_ request: Request, id: String, resumable: ResumableUploads, route: UploadRoute) async -> Reply {
        do throws(APIError) {
            _ = try await tusGrant(request, route: route).get()
            try await resumable.terminate(id, route: route, token: RouteAuth.token(in: request))
            return Reply(status: .noContent)
        } catch {
            return .error(error)
        }
    }

    /// POST (id nil: a new upload, with its first bytes when it has a body) or PATCH (the
    /// next bytes of upload `id`). Holds an upload slot while the body flows, like any upload.
    private func tusTransfer(
        _ request: Request, resumable: ResumableUploads, route: UploadRoute, id: String?, sink: ResponseSink, origin: String?,
        requestId: String
    ) async throws {
        let started = ContinuousClock.now
        let routeLogger = logger.with(requestId: requestId)
        let client = ClientLimiter.clientKey(sink.channel.remoteAddress)
        let token = route.auth == nil ? nil : RouteAuth.token(in: request)
        metrics.started()
        var grant: UploadGrant
        switch await preflightCheck(request, route: route, client: client, spendingToken: id == nil) {
        case .success(let granted):
            grant = granted
            grant.requestId = requestId
            grant.clientAddress = sink.channel.remoteAddress?.ipAddress ?? ""
        case .failure(let error):
            let outcome = ResumableUploads.failure(error)
            account(outcome, request, route: route, received: 0, since: started, logger: routeLogger, requestId: requestId)
            return try await sendEarly(Dispatcher.tusReply(outcome.reply), to: sink, request: request, stream: nil, origin: origin, requestId: requestId)
        }
        defer { limiter.leave(client: client) }

        // Everything that needs no body: the record (created by a POST), the headers.
        var created: ResumableRecord?
        let record: ResumableRecord
        let append: ResumableUploads.Append?
        do throws(APIError) {
            if id == nil {
                record = try await resumable.create(request, route: route, grant: grant, token: token)
                created = record
                append = request.headers[.contentType] == nil ? nil : try ResumableUploads.Append(request, record: record, creating: true)
            } else {
                record = try await resumable.record(id!, route: route, token: token)
                append = try ResumableUploads.Append(request, record: record, creating: false)
            }
            if let append, let length = request.headers[.contentLength].flatMap({ Int64($0) }),
                length > resumable.remaining(record, append: append, route: route, grant: grant)
            {
                throw resumable.pastItsLength(record, append: append, route: route, grant: grant)
            }
        } catch {
            let outcome = ResumableUploads.failure(error)
            account(outcome, request, route: route, received: 0, since: started, logger: routeLogger, requestId: requestId)
            var reply = outcome.reply
            if let created { reply.headers[.location] = location(route, created.id) }
            return try await sendEarly(Dispatcher.tusReply(reply), to: sink, request: request, stream: nil, origin: origin, requestId: requestId)
        }

        var outcome: UploadHandler.Outcome
        var received: Int64 = 0
        var stream: RequestStream?
        if let append {
            guard await sendContinue(request, sink: sink) else {
                account(Dispatcher.goneBeforeBody, request, route: route, received: 0, since: started, logger: routeLogger, requestId: requestId)
                sink.channel.close(promise: nil)
                return
            }
            let rateGuard = ReceiveRateGuard(policy: receiveRate)
            let body = RequestStream(
                request.body, limit: resumable.remaining(record, append: append, route: route, grant: grant),
                overLimit: resumable.pastItsLength(record, append: append, route: route, grant: grant), rateGuard: rateGuard)
            stream = body
            let watch = rateGuard.watch(sink.channel, on: watchdog)
            outcome = await resumable.append(append, to: record, route: route, grant: grant, stream: body)
            if let watch { watchdog.disarm(watch) }
            received = body.received
        } else {
            var reply = Reply(status: .created)
            ResumableUploads.describe(record, into: &reply)
            outcome = UploadHandler.Outcome(reply: reply, kind: .paused)
        }
        if let created {
            // A creation answers 201 with where the upload is, whatever its first bytes did.
            outcome.reply.headers[.location] = location(route, created.id)
            if outcome.reply.status == .noContent { outcome.reply.status = .created }
        }
        outcome.subject = grant.subject
        if outcome.kind == .rejected, let webhook = route.webhook, let error = outcome.error {
            webhook.rejected(UploadHandler.webhookData(error.json, route: route, grant: grant))
        }
        account(outcome, request, route: route, received: received, since: started, logger: routeLogger, requestId: requestId)
        do {
            try await sendEarly(Dispatcher.tusReply(outcome.reply), to: sink, request: request, stream: stream, origin: origin, requestId: requestId)
        } catch where outcome.kind == .disconnected {
            sink.channel.close(promise: nil)
        }
    }

    private func location(_ route: UploadRoute, _ id: String) -> String { "\(route.path)/\(Tus.segment)/\(id)" }

    /// Every tus answer names the protocol and lets a page read tus's headers.
    static func tusReply(_ reply: Reply) -> Reply {
        var reply = reply
        reply.headers[.tusResumable] = Tus.version
        reply.exposedHeaders = Tus.exposedHeaders
        return reply
    }
}
