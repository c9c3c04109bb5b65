import Filters
import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore

/// Answers every request: upload routes, the page, health, metrics, CORS preflights.
struct Dispatcher: Sendable {
    let routes: [UploadRoute]
    let uploads: UploadHandler
    /// The tus endpoints, when a route is resumable.
    let resumable: ResumableUploads?
    let limiter: ClientLimiter
    let cors: CORSPolicy
    let page: UploadPage?
    /// A Hummingbird application's routes: every request for a path Sluice does not own.
    let application: ApplicationResponder?
    let metrics: ServerMetrics
    let logger: Logger
    /// `server.minReceiveRate` and `receiveGracePeriod`.
    let receiveRate: ReceiveRateGuard.Policy
    /// `server.sendTimeout`: how long a client may take to read an answer.
    let sendTimeout: Duration
    /// Receive-rate checks and send deadlines, on one timer.
    let watchdog: ConnectionWatchdog
    /// After answering before the body was read, how much of it to read and drop so the
    /// client receives the answer rather than a connection reset.
    static let lingerBytes: Int64 = 16 << 20
    static let lingerTime: Duration = .seconds(5)
    /// Answers larger than this are written in slices of it, each waiting for the connection
    /// to take the last: an answer a client does not read holds no more than one slice.
    static let sendSlice = 64 << 10

    func respond(to request: Request, sink: ResponseSink) async throws {
        let requestId = RequestIdentifier.next()
        let origin = request.headers[.origin]
        let path = request.uri.path

        if let application, !owns(path) {
            let response = await application.respond(request, sink.channel, logger.with(requestId: requestId))
            return try await sink.write(response: response.head, body: response.body)
        }
        if let resumable, let (route, id) = matchResumable(path) {
            return try await tus(request, resumable: resumable, route: route, id: id, sink: sink, origin: origin, requestId: requestId)
        }
        if request.method == .options {
            // A preflight's CORS headers are its verdict: none are added to a refusal.
            return try await send(cors.preflight(request.head), to: sink, origin: nil, requestId: requestId)
        }
        if let (route, filename) = match(path) {
            guard request.method == (filename == nil ? .post : .put) else {
                var reply = Reply.error(APIError(status: 405, error: "method_not_allowed", message: "use \(filename == nil ? "POST with multipart/form-data" : "PUT with the file as the body") here"))
                reply.headers[.allow] = filename == nil ? "POST, OPTIONS" : "PUT, OPTIONS"
                reply.closeConnection = true
                return try await sendEarly(reply, to: sink, request: request, stream: nil, origin: origin, requestId: requestId)
            }
            return try await upload(request, route: route, filename: filename, sink: sink, origin: origin, requestId: requestId)
        }
        guard request.method == .get || request.method == .head else {
            let known = ["/", "/sluice.js", "/healthz", "/metrics"].contains(path)
            let error = known ? APIError(status: 405, error: "method_not_allowed", message: "use GET here") : .notFound
            var reply = Reply.error(error)
            if known { reply.headers[.allow] = "GET, HEAD" }
            reply.closeConnection = true
            return try await sendEarly(reply, to: sink, request: request, stream: nil, origin: origin, requestId: requestId)
        }
        let reply: Reply =
            switch path {
            case "/healthz": .json(200, .object([("status", "ok"), ("uploadsInFlight", .int(Int64(limiter.inFlight)))]))
            case "/metrics": Reply(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ByteBuffer(bytes: metrics.render()))
            case "/" where page != nil: page!.html
            case "/sluice.js" where page != nil: page!.script
            default: .error(.notFound)
            }
        try await send(reply, to: sink, origin: origin, requestId: requestId, headOnly: request.method == .head)
    }

    /// Whether Sluice answers `path` itself rather than a mounted application.
    func owns(_ path: String) -> Bool {
        match(path) != nil || path == "/healthz" || path == "/metrics" || (page != nil && (path == "/" || path == "/sluice.js"))
    }

    /// The route for a path: `/upload` takes POST, `/upload/<filename>` takes PUT.
    func match(_ path: String) -> (UploadRoute, String?)? {
        for route in routes {
            if path == route.path { return (route, nil) }
            if path.hasPrefix(route.path + "/") {
                let rest = String(path.dropFirst(route.path.count + 1))
                let name = rest.removingPercentEncoding ?? rest
                if !name.isEmpty { return (route, name) }
            }
        }
        return nil
    }

    private func upload(
        _ request: Request, route: UploadRoute, filename: String?, sink: ResponseSink, origin: String?, requestId: String
    ) async throws {
        let started = ContinuousClock.now
        let routeLogger = logger.with(requestId: requestId)
        let client = ClientLimiter.clientKey(sink.channel.remoteAddress)
        // Checks that need no body come first; the answer goes out before any byte is read.
        var grant: UploadGrant
        switch await preflightCheck(request, route: route, client: client) {
        case .success(let granted):
            grant = granted
            grant.requestId = requestId
            grant.clientAddress = sink.channel.remoteAddress?.ipAddress ?? ""
        case .failure(let error):
            let kind: UploadHandler.Outcome.Kind =
                switch error.status {
                case 503: .overloaded
                case 429: .tooManyUploads
                case 401: .unauthorized
                case 403: .forbidden
                case 415: .malformed
                default: .tooLarge
                }
            let outcome = UploadHandler.Outcome(reply: .error(error), error: error, kind: kind)
            metrics.started()
            account(outcome, request, route: route, received: 0, since: started, logger: routeLogger, requestId: requestId)
            return try await sendEarly(outcome.reply, to: sink, request: request, stream: nil, origin: origin, requestId: requestId)
        }
        metrics.started()
        // The slot is held until the answer is written, so unread answers count against it too.
        defer { limiter.leave(client: client) }
        guard await sendContinue(request, sink: sink) else {
            // The client left before its body began: still one finished upload in the books.
            account(Dispatcher.goneBeforeBody, request, route: route, received: 0, since: started, logger: routeLogger, requestId: requestId)
            sink.channel.close(promise: nil)
            return
        }
        let rateGuard = ReceiveRateGuard(policy: receiveRate)
        let stream = RequestStream(request.body, limit: grant.maxRequestBytes, rateGuard: rateGuard)
        let watch = rateGuard.watch(sink.channel, on: watchdog)
        var outcome: UploadHandler.Outcome =
            if let filename {
                await uploads.raw(request, route: route, grant: grant, filename: filename, stream: stream, logger: routeLogger)
            } else {
                await uploads.form(request, route: route, grant: grant, stream: stream, logger: routeLogger)
            }
        outcome.subject = grant.subject
        if outcome.kind == .rejected, let webhook = route.webhook, let error = outcome.error {
            webhook.rejected(UploadHandler.webhookData(error.json, route: route, grant: grant))
        }
        if let watch { watchdog.disarm(watch) }
        account(outcome, request, route: route, received: stream.received, since: started, logger: routeLogger, requestId: requestId)
        do {
            try await sendEarly(outcome.reply, to: sink, request: request, stream: stream, origin: origin, requestId: requestId)
        } catch where outcome.kind == .disconnected {
            // Answered if the client only half-closed; gone otherwise, and nothing is owed.
            sink.channel.close(promise: nil)
        }
    }

    /// Answers `Expect: 100-continue` now that the body is wanted; false if the client is gone.
    func sendContinue(_ request: Request, sink: ResponseSink) async -> Bool {
        guard request.headers[.expect]?.lowercased() == "100-continue" else { return true }
        do {
            try await sink.writeInformationalHead(HTTPResponse(status: .continue))
            return true
        } catch {
            return false
        }
    }

    static let goneBeforeBody: UploadHandler.Outcome = {
        let gone = APIError(status: 400, error: "incomplete_request", message: "the client closed the connection before sending its body")
        return UploadHandler.Outcome(reply: .error(gone), error: gone, kind: .disconnected)
    }()

    /// An upload's end in the books: its metrics and its log line.
    func account(
        _ outcome: UploadHandler.Outcome, _ request: Request, route: UploadRoute, received: Int64, since started: ContinuousClock.Instant, logger: Logger, requestId: String
    ) {
        let duration = ContinuousClock.now - started
        metrics.finished(route: route.path, outcome: outcome.kind.rawValue, duration: duration)
        UploadLog.record(logger, requestId: requestId, route: route.path, method: request.method.rawValue, outcome: outcome, received: received, duration: duration)
    }

    /// Load, auth and size checks that need no body: what the request may do, or the answer.
    /// Enters the limiter first and leaves it on a refusal, so that a single-use token is spent
    /// only by a request that goes on to upload.
    func preflightCheck(_ request: Request, route: UploadRoute, client: String, spendingToken: Bool = true) async -> Result<UploadGrant, APIError> {
        // Decoding is not Sluice's to guess: an encoded body would be sniffed, hashed and stored
        // as its coding's bytes, or taken for a malformed form.
        if let coding = request.bodyContentCoding { return .failure(.encodedBody(coding)) }
        switch limiter.tryEnter(client: client) {
        case nil:
            break
        case .serverFull:
            return .failure(.overloaded("the server is taking \(limiter.limit) uploads already; try again shortly", retryAfter: 1))
        case .clientFull:
            return .failure(APIError(
                status: 429, error: "too_many_uploads", message: "this client has \(limiter.perClient) uploads in progress already, the most one client may have",
                retryAfter: 1))
        }
        var grant = UploadGrant(route: route.config)
        if let auth = route.auth {
            switch await auth.authorize(request, route: route.config, configuredMetadata: route.configuredMetadata, spendingToken: spendingToken) {
            case .success(let granted):
                grant = granted
            case .failure(let error):
                limiter.leave(client: client)
                return .failure(error)
            }
        }
        if let limit = grant.maxRequestBytes, let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > limit {
            limiter.leave(client: client)
            return .failure(APIError.tooLarge("request_too_large", "the request is \(ByteSize.format(length)), over this route's limit of \(ByteSize.format(limit))"))
        }
        return .success(grant)
    }

    /// Sends a reply. When the request body was not read to its end, the connection is closed
    /// after it, but only after reading and dropping what the client still sends for a while:
    /// closing at once would make the kernel reset the connection, and the client would see a
    /// reset instead of the answer.
    func sendEarly(
        _ reply: Reply, to sink: ResponseSink, request: Request, stream: RequestStream?, origin: String?, requestId: String
    ) async throws {
        let stream = stream ?? RequestStream(request.body, limit: nil)
        var reply = reply
        let expectsContinue = request.headers[.expect]?.lowercased() == "100-continue" && stream.received == 0
        reply.closeConnection = reply.closeConnection || !stream.ended
        try await send(reply, to: sink, origin: origin, requestId: requestId)
        guard reply.closeConnection else { return }
        if stream.ended || expectsContinue || stream.tooSlow {
            // Nothing more is coming: the body ended, the client waits for "100 Continue"
            // before sending, or the input was closed on a client too slow to wait for.
            sink.channel.close(promise: nil)
            return
        }
        let deadline = watchdog.close(sink.channel, after: Dispatcher.lingerTime)
        _ = await stream.drain(maxBytes: Dispatcher.lingerBytes)
        watchdog.disarm(deadline)
        sink.channel.close(promise: nil)
    }

    /// Writes a reply. One that the client does not read within `sendTimeout` closes the
    /// connection; a large one goes in slices, so the connection's backpressure holds it back.
    func send(
        _ reply: Reply, to sink: ResponseSink, origin: String?, requestId: String, headOnly: Bool = false
    ) async throws {
        var reply = reply
        for field in cors.responseHeaders(origin: origin, exposing: reply.exposedHeaders) { reply.headers.append(field) }
        reply.headers[.init("X-Request-Id")!] = requestId
        let head = reply.head
        let deadline = watchdog.close(sink.channel, after: sendTimeout)
        defer { watchdog.disarm(deadline) }
        let body: ResponseBody
        if headOnly {
            body = ResponseBody()
        } else if reply.body.readableBytes <= Dispatcher.sendSlice {
            body = ResponseBody(byteBuffer: reply.body)
        } else {
            body = ResponseBody(contentLength: reply.body.readableBytes) { [bytes = reply.body] writer in
                var rest = bytes
                while let slice = rest.readSlice(length: Swift.min(Dispatcher.sendSlice, rest.readableBytes)), slice.readableBytes > 0 {
                    try await writer.write(slice)
                }
                try await writer.finish(nil)
            }
        }
        try await sink.write(response: head, body: body)
    }
}
