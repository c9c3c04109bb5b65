@testable import Filters
import Foundation
import NIOCore
import Testing

/// Retries and integrity, through a proxy that injects faults in front of the S3 endpoint.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
struct S3FaultTests {
    let s3 = S3TestEnvironment.current!

    /// scripts/testing/fault_proxy.py in front of the endpoint, stopped by its PID.
    final class FaultProxy {
        let process = Process()
        let url: String

        init(upstream: String, rules: [String]) throws {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scripts/testing/fault_proxy.py").standardized.path
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, upstream] + rules
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            var line = Data()
            while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
            guard let port = Int(String(decoding: line, as: UTF8.self)) else { throw GzipCheckFailed(message: "fault proxy did not start") }
            url = "http://127.0.0.1:\(port)"
        }

        deinit {
            // SIGKILL: the test runner's blocked signal mask is inherited by its children.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func upload(_ bytes: ByteBuffer, through proxy: FaultProxy, key: String, attempts: Int = 3) async throws -> (Chain.Outcome, S3Client, RequestLog) {
        let client = try s3.client(endpoint: proxy.url, attempts: attempts)
        let log = RequestLog(client)
        let sink = S3Sink(client: client, settings: s3.settings())
        do {
            let outcome = try await Chain.from("- hash: { algorithms: [sha256] }").run(
                Upload(filename: "f.bin"), from: Slices(buffer: bytes, chunk: 64 << 10), into: sink, key: key)
            return (outcome, client, log)
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    @Test func transientErrorsAreRetriedAndTheUploadSucceeds() async throws {
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["POST:uploads:500:1", "PUT:partNumber=2:503:1", "PUT:partNumber=3:reset:1", "POST:uploadId=:503:1"])
        let bytes = try randomBytes(17 << 20)
        let key = S3TestEnvironment.prefix() + "flaky.bin"
        let (outcome, client, log) = try await upload(bytes, through: proxy, key: key)
        defer { Task { try? await client.shutdown() } }
        #expect(outcome.stored?.parts == 4)
        #expect(log.count("CreateMultipartUpload") == 2)
        #expect(log.count("UploadPart") == 6)
        #expect(log.count("CompleteMultipartUpload") == 2)
        #expect(log.all.filter { $0.status == nil }.count == 1, "the reset connection")
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == bytes.sha256)
    }

    @Test func transientErrorOnPutObjectIsRetried() async throws {
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["PUT::503:2"])
        let key = S3TestEnvironment.prefix() + "small.bin"
        let bytes = try randomBytes(1000)
        let (outcome, client, log) = try await upload(bytes, through: proxy, key: key)
        defer { Task { try? await client.shutdown() } }
        #expect(outcome.stored != nil)
        #expect(log.count("PutObject") == 3)
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == bytes.sha256)
    }

    @Test func persistentErrorsGiveUpAndLeaveNothing() async throws {
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["PUT:partNumber=2:503:10"])
        let key = S3TestEnvironment.prefix() + "doomed.bin"
        await #expect {
            _ = try await upload(try randomBytes(12 << 20), through: proxy, key: key)
        } throws: { error in
            (error as? S3Error)?.code == "SlowDown"
        }
        let direct = try s3.client()
        defer { Task { try? await direct.shutdown() } }
        #expect(try await direct.nothingLeft(bucket: s3.bucket, key: key))
    }

    @Test(.enabled(if: S3TestEnvironment.current?.strict == true, S3TestEnvironment.notStrictReason))
    func aCorruptedPartIsRefusedByItsChecksum() async throws {
        // A byte flipped on the wire: S3 compares the part with its CRC32 and refuses it.
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["PUT:partNumber=2:corrupt:1"])
        let key = S3TestEnvironment.prefix() + "corrupted.bin"
        await #expect {
            _ = try await upload(try randomBytes(12 << 20), through: proxy, key: key)
        } throws: { error in
            (error as? S3Error)?.code == "BadDigest"
        }
        let direct = try s3.client()
        defer { Task { try? await direct.shutdown() } }
        #expect(try await direct.nothingLeft(bucket: s3.bucket, key: key))
    }
}
