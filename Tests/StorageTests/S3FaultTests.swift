import Filters
import Foundation
import NIOCore
@testable import S3
@testable import Storage
import TestSupport
import Testing

/// Retries and integrity, through a proxy that injects faults in front of the S3 endpoint.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
struct S3FaultTests {
    let s3 = S3TestEnvironment.current!

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

    @Test(arguments: [["POST:uploadId=:lose:1"], ["POST:uploadId=:lose:1", "POST:uploadId=:404:1"]])
    func aCompletionWhoseAnswerWasLostIsRecognisedOnItsRetry(rules: [String]) async throws {
        // S3 assembles the object and its answer never arrives. The retry is answered again (moto
        // does), or, the second rule, finds the upload gone (stores that forget it at once).
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: rules)
        let bytes = try randomBytes(12 << 20)
        let key = S3TestEnvironment.prefix() + "lost-answer.bin"
        let (outcome, client, log) = try await upload(bytes, through: proxy, key: key)
        defer { Task { try? await client.shutdown() } }
        #expect(log.count("CompleteMultipartUpload") == 2)
        #expect(outcome.stored?.parts == 3)
        let stored = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(outcome.stored?.etag == stored.etag)
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == bytes.sha256)
        #expect(try await client.listMultipartUploads(bucket: s3.bucket).filter { $0.key == key }.isEmpty)
    }

    @Test func aMissingUploadIsNotTakenForAnotherObjectUnderItsKey() async throws {
        // The key holds an object of other bytes, and the upload is gone: that is a failure.
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        let key = S3TestEnvironment.prefix() + "gone.bin"
        let uploadId = try await client.createMultipartUpload(bucket: s3.bucket, key: key, attributes: ObjectAttributes(), checksum: .none)
        let part = try await client.uploadPart(bucket: s3.bucket, key: key, uploadId: uploadId, number: 1, body: try randomBytes(1000), checksum: .none)
        try await client.abortMultipartUpload(bucket: s3.bucket, key: key, uploadId: uploadId)
        _ = try await client.putObject(
            bucket: s3.bucket, key: key, body: try randomBytes(1000), attributes: ObjectAttributes(), checksum: .none, digest: nil, condition: nil)
        await #expect {
            _ = try await client.completeMultipartUpload(bucket: s3.bucket, key: key, uploadId: uploadId, parts: [part], checksum: .none)
        } throws: { error in
            (error as? S3Error)?.code == "NoSuchUpload"
        }
    }

    @Test(arguments: [
        // Part 2 refused, and the abort finds the upload gone: it was never completed.
        ["PUT:partNumber=2:403:1", "DELETE:uploadId=:404:1"],
        // The completion finds the upload gone, and so does the abort.
        ["POST:uploadId=:404:1", "DELETE:uploadId=:404:1"],
    ])
    func aFailedUploadNeverDeletesAnotherObjectUnderItsKey(rules: [String]) async throws {
        let key = S3TestEnvironment.prefix() + "taken.bin"
        let direct = try s3.client()
        defer { Task { try? await direct.shutdown() } }
        let other = try randomBytes(1000)
        _ = try await direct.putObject(bucket: s3.bucket, key: key, body: other, attributes: ObjectAttributes(), checksum: .none, digest: nil, condition: nil)
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: rules)
        await #expect(throws: S3Error.self) { _ = try await upload(try randomBytes(12 << 20), through: proxy, key: key) }
        #expect(try await direct.sha256(bucket: s3.bucket, key: key).0 == other.sha256, "the object that was there is still there")
        // The proxy kept the aborts from S3: the multipart upload is still there to clean.
        for upload in try await direct.listMultipartUploads(bucket: s3.bucket) where upload.key == key {
            try await direct.abortMultipartUpload(bucket: s3.bucket, key: key, uploadId: upload.uploadId)
        }
        try await direct.deleteObject(bucket: s3.bucket, key: key, versionId: nil)
    }

    @Test func anUploadCompletedWhoseEveryAnswerWasLostLeavesNothing() async throws {
        // S3 assembles the object three times and no answer arrives: the upload failed, and
        // what S3 stored for it is deleted (it is the object its parts make).
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["POST:uploadId=:lose:3"])
        let key = S3TestEnvironment.prefix() + "never-answered.bin"
        await #expect(throws: S3ConnectionError.self) { _ = try await upload(try randomBytes(12 << 20), through: proxy, key: key) }
        let direct = try s3.client()
        defer { Task { try? await direct.shutdown() } }
        #expect(try await direct.nothingLeft(bucket: s3.bucket, key: key))
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

    @Test func aTimeoutIsRetried() async throws {
        // The first try of part 1 gets no answer for 10 s; the client gives up after 3 s of silence,
        // long enough that a healthy part under the whole parallel suite's load is never cut.
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["PUT:partNumber=1:delay10000:1"])
        var configuration = S3Client.Configuration(endpoint: try S3Endpoint.custom(proxy.url, pathStyle: true), region: s3.region, credentials: s3.credentials)
        configuration.idleTimeout = .seconds(3)
        configuration.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20))
        let client = S3Client(configuration)
        defer { Task { try? await client.shutdown() } }
        let log = RequestLog(client)
        let bytes = try randomBytes(7 << 20)
        let key = S3TestEnvironment.prefix() + "slow.bin"
        let outcome = try await Chain.from("- hash: {}").run(
            Upload(), from: Slices(buffer: bytes, chunk: 64 << 10), into: S3Sink(client: client, settings: s3.settings()), key: key)
        #expect(outcome.stored?.parts == 2)
        #expect(log.all.filter { $0.operation == "UploadPart" && $0.status == nil }.count == 1)
        #expect(log.count("UploadPart") == 3)
        // Read back with default timeouts: this client's 3 s could cut a slow read on a busy machine.
        let reader = try s3.client()
        defer { Task { try? await reader.shutdown() } }
        #expect(try await reader.sha256(bucket: s3.bucket, key: key).0 == bytes.sha256)
    }

    @Test func whenEverySlotIsBusyTheSinkStopsPulling() async throws {
        // One part in flight at a time, and S3 slow to answer: the source must not be read ahead
        // by more than the part in flight, the part waiting for a slot, and one chunk.
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["PUT:partNumber=:delay3000:100"])
        let client = try s3.client(endpoint: proxy.url)
        defer { Task { try? await client.shutdown() } }
        let sink = S3Sink(client: client, settings: s3.settings { $0.concurrency = 1 })
        let chunk = 256 << 10
        let source = Chunks((0..<160).map { _ in ByteBuffer(repeating: 7, count: chunk) })  // 40 MiB
        let key = S3TestEnvironment.prefix() + "backpressure.bin"
        let chain = try Chain.from("- hash: {}")
        let upload = Task { try await chain.run(Upload(), from: source, into: sink, key: key) }
        try await Task.sleep(for: .seconds(2))
        let pulled = source.pulled * chunk
        #expect(pulled <= 2 * (5 << 20) + chunk, "pulled \(pulled) bytes while part 1 was in flight")
        #expect(pulled >= 5 << 20)
        upload.cancel()
        _ = try? await upload.value
        #expect(try await client.nothingLeft(bucket: s3.bucket, key: key))
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
