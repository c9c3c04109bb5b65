import NIOCore
import S3
import TestSupport
import Testing

/// S3's conditional writes through the client, against the test endpoint: what a lease on a
/// resumable upload's state rests on. moto checks the condition and writes without a lock in
/// between, so a race between writers is tested against InMemoryS3, not here.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason))
struct ConditionalWriteTests {
    let s3 = S3TestEnvironment.current!

    func put(_ client: S3Client, _ key: String, _ text: String, _ condition: WriteCondition?) async throws -> String {
        let result = try await client.putObject(
            bucket: s3.bucket, key: key, body: ByteBuffer(string: text), attributes: ObjectAttributes(), checksum: .none, condition: condition)
        return try #require(result.etag)
    }

    func read(_ client: S3Client, _ key: String) async throws -> String {
        String(buffer: try await client.getObject(bucket: s3.bucket, key: key, limit: 1 << 10).body)
    }

    @Test func createOnlyWhenAbsent() async throws {
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        let key = S3TestEnvironment.prefix() + "state"
        _ = try await put(client, key, "first", .absent)
        let error = await #expect(throws: S3Error.self) { try await put(client, key, "second", .absent) }
        #expect(error?.isConditionFailed == true)
        #expect(try await read(client, key) == "first")
    }

    @Test func replaceOnlyTheVersionOneRead() async throws {
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        let key = S3TestEnvironment.prefix() + "state"
        let first = try await put(client, key, "v1", nil)
        let second = try await put(client, key, "v2", .matches(etag: first))
        #expect(second != first)
        let stale = await #expect(throws: S3Error.self) { try await put(client, key, "v3 from a stale read", .matches(etag: first)) }
        #expect(stale?.isConditionFailed == true)
        #expect(try await read(client, key) == "v2")
        let missing = await #expect(throws: S3Error.self) {
            try await put(client, S3TestEnvironment.prefix() + "never-written", "x", .matches(etag: first))
        }
        #expect(missing.map { $0.isConditionFailed || $0.status == 404 } == true)
    }

    @Test func aSmallObjectIsReadWholeAndALargerOneRefused() async throws {
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        let key = S3TestEnvironment.prefix() + "small"
        let etag = try await put(client, key, String(repeating: "x", count: 2000), nil)
        let (body, info) = try await client.getObject(bucket: s3.bucket, key: key, limit: 2000)
        #expect(body.readableBytes == 2000)
        #expect(info.etag == etag)
        await #expect(throws: S3Error.self) { try await client.getObject(bucket: s3.bucket, key: key, limit: 1999) }
    }
}
