import Checksums
import Foundation
import NIOCore
import S3
import Storage
import Testing

/// The S3 endpoint scripts/test starts (strict_moto in CI, plain moto otherwise), from the
/// SLUICE_TEST_S3_* environment. Without it, the S3 tests are skipped and say why.
public struct S3TestEnvironment: Sendable {
    public let endpoint: String
    public let bucket: String
    public let region: String
    public let accessKeyId: String
    public let secretAccessKey: String
    /// strict_moto: checks signatures over the raw path, checksums and part rules like AWS.
    public let strict: Bool

    public static let current: S3TestEnvironment? = {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["SLUICE_TEST_S3_ENDPOINT"], let bucket = env["SLUICE_TEST_S3_BUCKET"],
            let key = env["SLUICE_TEST_S3_ACCESS_KEY_ID"], let secret = env["SLUICE_TEST_S3_SECRET_ACCESS_KEY"]
        else { return nil }
        return S3TestEnvironment(
            endpoint: endpoint, bucket: bucket, region: env["SLUICE_TEST_S3_REGION"] ?? "us-east-1", accessKeyId: key,
            secretAccessKey: secret, strict: env["SLUICE_TEST_S3_STRICT"] == "1")
    }()

    public static let skipReason: Comment = "needs an S3 endpoint: run scripts/test, which starts one (SLUICE_TEST_S3_* not set)"
    public static let notStrictReason: Comment = "plain moto refuses correctly signed keys with these characters and checks no checksums: needs strict_moto (../shared)"

    public var credentials: S3Credentials { S3Credentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, source: "test") }

    /// A client with quick retries, optionally through another endpoint (a fault proxy).
    public func client(endpoint: String? = nil, secret: String? = nil, attempts: Int = 3) throws -> S3Client {
        var credentials = self.credentials
        if let secret { credentials.secretAccessKey = secret }
        var configuration = S3Client.Configuration(
            endpoint: try S3Endpoint.custom(endpoint ?? self.endpoint, pathStyle: true), region: region, credentials: credentials)
        configuration.retry = RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200))
        return S3Client(configuration)
    }

    public func settings(_ adjust: (inout S3UploadSettings) -> Void = { _ in }) -> S3UploadSettings {
        var settings = S3UploadSettings(bucket: bucket)
        settings.partSize = 5 << 20
        settings.concurrency = 3
        adjust(&settings)
        return settings
    }

    /// A fresh key prefix, so tests do not see each other's objects.
    public static func prefix() -> String { "test-\(UUID().uuidString.lowercased())/" }
}

/// Random bytes from the system, quickly, for large uploads.
public func randomBytes(_ count: Int) throws -> ByteBuffer {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
    defer { try? handle.close() }
    var buffer = ByteBuffer()
    buffer.writeBytes(try handle.read(upToCount: count) ?? Data())
    return buffer
}

/// A buffer handed out in slices of `chunk` bytes; optionally pausing between them, so that a
/// test can cancel mid-way.
public struct Slices: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error
    let buffer: ByteBuffer
    let chunk: Int
    var pause: Duration?

    public init(buffer: ByteBuffer, chunk: Int, pause: Duration? = nil) {
        self.buffer = buffer
        self.chunk = chunk
        self.pause = pause
    }

    public func makeAsyncIterator() -> Iterator { Iterator(rest: buffer, chunk: chunk, pause: pause) }

    public struct Iterator: AsyncIteratorProtocol {
        var rest: ByteBuffer
        let chunk: Int
        let pause: Duration?
        public mutating func next() async throws -> ByteBuffer? {
            guard rest.readableBytes > 0 else { return nil }
            if let pause { try await Task.sleep(for: pause) }
            return rest.readSlice(length: Swift.min(chunk, rest.readableBytes))
        }
    }
}

/// Records the S3 client's requests, to count attempts and operations.
public final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [S3Client.RequestEvent] = []

    public init(_ client: S3Client) {
        client.addObserver { [self] event in
            lock.lock()
            events.append(event)
            lock.unlock()
        }
    }

    public var all: [S3Client.RequestEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    public func count(_ operation: String) -> Int { all.filter { $0.operation == operation }.count }
}

extension S3Client {
    /// The SHA-256 of an object, read back with GetObject.
    public func sha256(bucket: String, key: String) async throws -> (String, ObjectInfo) {
        var hasher = DigestAlgorithm.sha256.makeHasher()
        let info = try await getObject(bucket: bucket, key: key) { chunk in
            chunk.withUnsafeReadableBytes { hasher.update($0) }
        }
        return (hasher.finalize().hex, info)
    }

    /// Keys under `prefix`, listed whole and filtered here: plain moto refuses a correctly
    /// signed prefix with a "/" in it.
    public func keys(bucket: String, prefix: String) async throws -> [String] {
        try await listObjects(bucket: bucket).filter { $0.hasPrefix(prefix) }
    }

    /// Waits (up to 10 s) until no object and no unfinished multipart upload is left under
    /// `prefix`: cleanup after a refused or broken upload may finish after the answer.
    public func eventuallyNothingLeft(bucket: String, prefix: String) async throws -> Bool {
        for _ in 0..<100 {
            let objects = try await keys(bucket: bucket, prefix: prefix)
            let uploads = try await listMultipartUploads(bucket: bucket).filter { $0.key.hasPrefix(prefix) }
            if objects.isEmpty && uploads.isEmpty { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// True when nothing of `key` is left: no object and no unfinished multipart upload.
    public func nothingLeft(bucket: String, key: String) async throws -> Bool {
        // Listed whole and filtered here: plain moto refuses a correctly signed prefix with a "/".
        let uploads = try await listMultipartUploads(bucket: bucket).filter { $0.key == key }
        do {
            _ = try await headObject(bucket: bucket, key: key)
            return false
        } catch let error as S3Error where error.status == 404 {
            return uploads.isEmpty
        }
    }
}

extension ByteBuffer {
    public var sha256: String { withUnsafeReadableBytes { DigestAlgorithm.sha256.digest($0).hex } }
}
