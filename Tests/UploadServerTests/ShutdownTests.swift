import Checksums
import Filters
import S3
import Foundation
import TestSupport
import Testing

/// SIGTERM: in-flight uploads finish within server.shutdownTimeout; the rest are aborted.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
struct ShutdownTests {
    let s3 = S3TestEnvironment.current!

    func start(timeout: Double, prefix: String) throws -> ServerProcess {
        try ServerProcess(yaml: """
            server: { host: 127.0.0.1, port: 0, shutdownTimeout: \(timeout) }
            storage: { type: s3, bucket: \(s3.bucket), partSize: 5MiB, keyTemplate: "\(prefix){filename}" }
            routes:
              - { path: /upload, chain: c }
            chains:
              c: [hash]
            """)
    }

    static let b = "ShutdownBoundary"

    /// Starts an upload of `size` bytes and sends the first `sendFirst` of them.
    func begin(_ server: ServerProcess, size: Int, sendFirst: Int, rng: inout SeededRandom) throws -> (RawHTTP, [UInt8], [UInt8]) {
        let content = rng.bytes(size)
        let body = Array("--\(ShutdownTests.b)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.bin\"\r\n\r\n".utf8) + content
            + Array("\r\n--\(ShutdownTests.b)--\r\n".utf8)
        let connection = try RawHTTP(port: server.port)
        connection.send(RawHTTP.head("POST", "/upload", [("Content-Type", "multipart/form-data; boundary=\(ShutdownTests.b)"), ("Content-Length", "\(body.count)")]))
        connection.send(Array(body[..<sendFirst]))
        return (connection, body, content)
    }

    @Test func inFlightUploadsFinish() async throws {
        let prefix = S3TestEnvironment.prefix()
        let server = try start(timeout: 30, prefix: prefix)
        var rng = SeededRandom(seed: 21)
        let (connection, body, content) = try begin(server, size: 8 << 20, sendFirst: 3 << 20, rng: &rng)
        try await Task.sleep(for: .milliseconds(300))
        kill(server.process.processIdentifier, SIGTERM)
        // The server is shutting down, and still takes the rest of this upload.
        try await Task.sleep(for: .milliseconds(500))
        #expect(server.process.isRunning)
        connection.send(Array(body[(3 << 20)...]))
        // The server has until its shutdownTimeout (30 s) to finish: wait that long, not the
        // default 10 s, which a full run's load on the S3 endpoint once exceeded.
        let response = try #require(RawResponse(connection.read(timeout: .seconds(30))))
        #expect(response.status == 201, "\(response.body)")
        #expect(await server.stop(timeout: .seconds(10)) == 0)
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        #expect(try await client.sha256(bucket: s3.bucket, key: prefix + "slow.bin").0 == DigestAlgorithm.sha256.digest(content.withUnsafeBytes { $0 }).hex)
        #expect(server.log.contains("outcome=stored"))
    }

    @Test func uploadsBeyondTheTimeoutAreAborted() async throws {
        let prefix = S3TestEnvironment.prefix()
        let server = try start(timeout: 1, prefix: prefix)
        var rng = SeededRandom(seed: 22)
        // 7 MiB of 20: a part is in S3 and the client stalls.
        let (connection, _, _) = try begin(server, size: 20 << 20, sendFirst: 7 << 20, rng: &rng)
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        let status = await server.stop(timeout: .seconds(20))
        #expect(ContinuousClock.now - started < .seconds(8))
        #expect(status == 0)
        withExtendedLifetime(connection) {}
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        #expect(try await client.nothingLeft(bucket: s3.bucket, key: prefix + "slow.bin"))
        #expect(server.log.contains("outcome=cancelled") || server.log.contains("outcome=disconnected"))
    }
}
