import Filters
import NIOCore
import S3
import Storage
import TestSupport
import Testing

/// The S3 sink through its S3API seam, against an S3 in memory: the part rules, and that every
/// way an upload can fail leaves no object and no multipart upload, without an endpoint.
@Suite struct S3SinkInMemoryTests {
    static let mib = 1 << 20

    func settings() -> S3UploadSettings {
        var settings = S3UploadSettings(bucket: "b")
        settings.partSize = 5 * S3SinkInMemoryTests.mib
        settings.concurrency = 3
        return settings
    }

    func store(_ bytes: [UInt8], into s3: InMemoryS3, chain steps: String = "- hash: { algorithms: [sha256] }") async throws -> Chain.Outcome {
        let sink = S3Sink(client: s3, settings: settings(), warn: { _ in })
        let chunks = Chunking.random.split(bytes, seed: UInt64(bytes.count))
        return try await Chain.from(steps).run(Upload(declaredType: "application/octet-stream"), from: Chunks(chunks), into: sink, key: "k")
    }

    @Test(arguments: [0, 1, 5 * mib - 1, 5 * mib, 5 * mib + 1, 17 * mib + 3])
    func storedBytesAndPartsAreS3s(size: Int) async throws {
        var rng = SeededRandom(seed: UInt64(size))
        let bytes = rng.bytes(size)
        let s3 = InMemoryS3()
        let outcome = try await store(bytes, into: s3)
        let object = try #require(s3.objects["k"])
        #expect(object.bytes == bytes)
        #expect(object.parts == Swift.max(1, (size + 5 * Self.mib - 1) / (5 * Self.mib)))
        #expect(outcome.stored?.size == Int64(size))
        #expect(s3.unfinishedUploads == 0)
        #expect(s3.calls.first?.operation == (size <= 5 * Self.mib ? "PutObject" : "CreateMultipartUpload"))
    }

    @Test(arguments: [1, 2, 4])
    func aFailedPartAbortsTheUpload(failing part: Int) async throws {
        let refused = S3Error(operation: "UploadPart", resource: "b/k", status: 403, code: "AccessDenied", message: "no")
        let s3 = InMemoryS3 { $0.operation == "UploadPart" && $0.part == part ? refused : nil }
        var rng = SeededRandom(seed: 9)
        let bytes = rng.bytes(22 * Self.mib)
        await #expect(throws: S3Error.self) { _ = try await store(bytes, into: s3) }
        #expect(s3.objects.keys.isEmpty)
        #expect(s3.unfinishedUploads == 0)
        #expect(s3.calls.contains { $0.operation == "AbortMultipartUpload" })
        #expect(!s3.calls.contains { $0.operation == "CompleteMultipartUpload" })
    }

    @Test func aRejectionAfterSomePartsAbortsTheUpload() async throws {
        let s3 = InMemoryS3()
        var rng = SeededRandom(seed: 3)
        let outcome = try await store(rng.bytes(14 * Self.mib), into: s3, chain: "- size-limit: { max: 12MiB }")
        #expect(outcome.report.rejection?.code == "size_exceeded")
        #expect(s3.calls.contains { $0.operation == "UploadPart" }, "parts were sent before the limit was crossed")
        #expect(s3.objects.keys.isEmpty)
        #expect(s3.unfinishedUploads == 0)
    }

    @Test func aFailedCompletionAbortsTheUpload() async throws {
        struct ConnectionLost: Error {}
        let s3 = InMemoryS3 { $0.operation == "CompleteMultipartUpload" ? ConnectionLost() : nil }
        var rng = SeededRandom(seed: 4)
        let bytes = rng.bytes(11 * Self.mib)
        await #expect(throws: ConnectionLost.self) { _ = try await store(bytes, into: s3) }
        #expect(s3.objects.keys.isEmpty)
        #expect(s3.unfinishedUploads == 0)
        #expect(s3.calls.last?.operation == "AbortMultipartUpload")
    }

    /// The completion took effect and its answer was lost: the client is told the upload
    /// failed, so the object goes too, also when its ETag cannot say whose it is (SSE-KMS, SSE-C).
    @Test(arguments: [false, true])
    func aCompletionWhoseAnswerWasLostLeavesNothing(encryptsWithKey: Bool) async throws {
        let s3 = InMemoryS3(losesAnswer: { $0.operation == "CompleteMultipartUpload" }, encryptsWithKey: encryptsWithKey)
        var rng = SeededRandom(seed: 5)
        await #expect(throws: InMemoryS3.AnswerLost.self) { _ = try await store(rng.bytes(11 * Self.mib), into: s3) }
        #expect(s3.objects.keys.isEmpty)
        #expect(s3.unfinishedUploads == 0)
        #expect(s3.calls.last?.operation == "DeleteObject")
    }
}
