import AsyncHTTPClient
import Checksums
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small S3 client: the calls an uploader needs, SigV4-signed, retried with backoff.
public final class S3Client: Sendable {
    public struct Configuration: Sendable {
        public var endpoint: S3Endpoint
        public var region: String
        public var credentials: S3Credentials
        /// Sign each body's SHA-256 instead of UNSIGNED-PAYLOAD (one more pass over the bytes;
        /// over plain HTTP it protects the body, over HTTPS TLS already does).
        public var signPayload = false
        public var retry = RetryPolicy()
        public var connectTimeout: Duration = .seconds(10)
        /// Longest silence while sending or receiving.
        public var idleTimeout: Duration = .seconds(60)
        public var maxConnectionsPerHost = 64
        /// Each S3 request as a span of the tracer bootstrapped with swift-distributed-tracing.
        /// Off by default: even with no tracer bootstrapped, the HTTP client parses each
        /// request's URL again for the span's attributes (2-3 % of a small upload's time).
        public var tracesRequests = false

        public init(endpoint: S3Endpoint, region: String, credentials: S3Credentials) {
            self.endpoint = endpoint
            self.region = region
            self.credentials = credentials
        }
    }

    /// One HTTP attempt, reported as it ends: for metrics and tests.
    public struct RequestEvent: Sendable {
        public var operation: String
        public var method: String
        public var attempt: Int
        /// nil when no answer came (connection failure, timeout).
        public var status: Int?
        public var errorCode: String?
        public var duration: Duration
        public var bytesSent: Int
    }

    public typealias Observer = @Sendable (RequestEvent) -> Void

    public let configuration: Configuration
    let http: HTTPClient
    let signer: SigV4Signer
    private let observers = Mutex<[Observer]>([])
    /// Seconds to add to the local clock, learnt from RequestTimeTooSkewed answers.
    private let clockOffset = Mutex<Double>(0)

    /// The event loops this client's connections run on: a group of its own, apart from the
    /// server's. On NIO's shared group, sending parts and reading the requests landed on one
    /// thread and waited for each other (docs/PERFORMANCE.md). Shut down with the client.
    private let eventLoops: MultiThreadedEventLoopGroup

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        var http = HTTPClient.Configuration(
            timeout: .init(connect: .init(configuration.connectTimeout), read: .init(configuration.idleTimeout)))
        http.redirectConfiguration = .disallow
        http.decompression = .disabled
        http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConnectionsPerHost
        // The retry policy below covers failed connections, with backoff and a visible error;
        // the pool's own retrying would only wait out the connect timeout on every attempt.
        http.connectionPool.retryConnectionEstablishment = false
        if !configuration.tracesRequests { http.tracing.tracer = nil }
        self.eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: Swift.max(1, System.coreCount / 2))
        self.http = HTTPClient(eventLoopGroupProvider: .shared(eventLoops), configuration: http)
    }

    /// Closes the connections and stops the client's threads; call once when done.
    public func shutdown() async throws {
        try await http.shutdown()
        try await eventLoops.shutdownGracefully()
    }

    public func addObserver(_ observer: @escaping Observer) {
        observers.withLock { $0.append(observer) }
    }

    // MARK: - Requests

    struct Request {
        var operation: String
        var method: HTTPMethod
        var bucket: String
        var key: String?
        var query: [(name: String, value: String?)] = []
        var headers: [(name: String, value: String)] = []
        /// Held in memory, so every retry can send it again.
        var body: ByteBuffer?

        var resource: String { key.map { "\(bucket)/\($0)" } ?? bucket }
    }

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        func xml() throws -> XMLElement { try XMLElement.parse(body) }
    }

    /// Sends `request`, trying again on connection failures, timeouts, 5xx, 429 and S3's
    /// throttling codes; other answers come back at once (errors as ``S3Error``).
    func send(_ request: Request, maxBody: Int = 4 << 20) async throws -> Response {
        try await withRetries(request) { attempt in
            let response = try await self.execute(request, attempt: attempt)
            let body = try await response.body.collect(upTo: maxBody)
            return Response(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
        }
    }

    /// Sends `request` and hands the answer's body to `consume` as it arrives. Only the
    /// request is retried, never a body that has started.
    func stream(_ request: Request, consume: (ByteBuffer) async throws -> Void) async throws -> HTTPHeaders {
        var bodyStarted = false
        let response: Response
        do {
            response = try await withRetries(request) { attempt -> Response in
                let response = try await self.execute(request, attempt: attempt)
                if response.status.code >= 300 {
                    let body = try await response.body.collect(upTo: 1 << 20)
                    return Response(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
                }
                do {
                    for try await chunk in response.body {
                        bodyStarted = true
                        do { try await consume(chunk) } catch { throw ConsumerFailed(underlying: error) }
                    }
                } catch let failed as ConsumerFailed {
                    throw failed
                } catch where bodyStarted {
                    // A retry would hand `consume` the same bytes again.
                    throw BodyInterrupted(underlying: "\(error)")
                }
                return Response(status: Int(response.status.code), headers: response.headers, body: [])
            }
        } catch let failed as ConsumerFailed {
            // The caller's own error, not the connection's: as it was thrown.
            throw failed.underlying
        }
        return response.headers
    }

    private func withRetries(_ request: Request, _ attemptOnce: (Int) async throws -> Response) async throws -> Response {
        let policy = configuration.retry
        var attempt = 1
        while true {
            let started = ContinuousClock.now
            var event = RequestEvent(
                operation: request.operation, method: request.method.rawValue, attempt: attempt, status: nil, errorCode: nil,
                duration: .zero, bytesSent: request.body?.readableBytes ?? 0)
            do {
                let response = try await attemptOnce(attempt)
                event.status = response.status
                let failure = response.status >= 300 ? error(from: response, request) : embeddedError(in: response, request)
                event.errorCode = failure?.code
                event.duration = ContinuousClock.now - started
                notify(event)
                guard let failure else { return response }
                if failure.code == "RequestTimeTooSkewed" { learnClockOffset(from: response.headers) }
                guard failure.isRetryable, attempt < policy.maxAttempts else { throw failure }
            } catch let failure as S3Error {
                throw failure
            } catch let failed as ConsumerFailed {
                throw failed
            } catch {
                event.duration = ContinuousClock.now - started
                event.errorCode = "\(type(of: error))"
                notify(event)
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                guard attempt < policy.maxAttempts, S3Client.isTransient(error), !(error is BodyInterrupted) else {
                    throw S3ConnectionError(operation: request.operation, resource: request.resource, attempts: attempt, reason: "\(error)")
                }
            }
            try await Task.sleep(for: policy.delay(after: attempt))
            attempt += 1
        }
    }

    private func execute(_ request: Request, attempt: Int) async throws -> HTTPClientResponse {
        let (host, path) = configuration.endpoint.location(bucket: request.bucket, key: request.key)
        let query = URIEncoding.canonicalQuery(request.query)
        let url = "\(configuration.endpoint.scheme)://\(host)\(path)\(query.isEmpty ? "" : "?" + query)"
        let payloadHash: String =
            if configuration.signPayload {
                request.body.map { $0.withUnsafeReadableBytes { SigV4Signer.hexSHA256(Array($0)) } } ?? SigV4Signer.emptyPayloadHash
            } else {
                SigV4Signer.unsignedPayload
            }
        var headers = request.headers
        headers.append(("host", host))
        let signed = signer.sign(
            SigV4Signer.Request(method: request.method.rawValue, path: path, query: request.query, headers: headers, payloadHash: payloadHash),
            date: Date().addingTimeInterval(clockOffset.withLock { $0 }))
        var http = HTTPClientRequest(url: url)
        http.method = request.method
        for (name, value) in headers + signed { http.headers.replaceOrAdd(name: name, value: value) }
        if let body = request.body {
            http.body = .bytes(body)
        } else if request.method == .PUT || request.method == .POST {
            // S3 wants a Content-Length on every PUT and POST, even an empty one.
            http.body = .bytes(ByteBuffer())
        }
        return try await self.http.execute(http, timeout: .hours(1))
    }

    private func error(from response: Response, _ request: Request) -> S3Error {
        S3Error.from(
            status: response.status, body: response.body, requestId: response.headers.first(name: "x-amz-request-id"),
            operation: request.operation, resource: request.resource)
    }

    /// CompleteMultipartUpload can answer 200 with an `<Error>` document.
    private func embeddedError(in response: Response, _ request: Request) -> S3Error? {
        guard request.operation == "CompleteMultipartUpload", let root = try? response.xml(), root.name == "Error" else { return nil }
        return S3Error(
            operation: request.operation, resource: request.resource, status: response.status, code: root["Code"] ?? "InternalError",
            message: root["Message"] ?? "", requestId: root["RequestId"])
    }

    private func notify(_ event: RequestEvent) {
        for observer in observers.withLock({ $0 }) { observer(event) }
    }

    private func learnClockOffset(from headers: HTTPHeaders) {
        guard let value = headers.first(name: "date"), let serverDate = S3Client.httpDate(value) else { return }
        clockOffset.withLock { $0 = serverDate.timeIntervalSinceNow }
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// Failures worth another try: the connection, not the request.
    static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            let transient: [HTTPClientError] = [
                .connectTimeout, .readTimeout, .writeTimeout, .remoteConnectionClosed, .deadlineExceeded, .getConnectionFromPoolTimeout,
            ]
            return transient.contains(error)
        }
        // NIO's socket and connect errors (refused, reset, unreachable) live in several types.
        return error is IOError || error is ChannelError || "\(type(of: error))".contains("Connect")
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// An answer's body that broke off after part of it was handed on: final, never retried.
/// What `consume` threw while a body streamed: handed back unchanged, never retried.
struct ConsumerFailed: Error {
    var underlying: any Error
}

struct BodyInterrupted: Error, CustomStringConvertible {
    var underlying: String
    var description: String { "the answer broke off after it had started: \(underlying)" }
}
