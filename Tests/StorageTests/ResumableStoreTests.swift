import Foundation
import NIOCore
import S3
@testable import Storage
import TestSupport
import Testing

/// Resumable uploads' records and their lease: in memory (where S3's atomic conditional write is
/// modelled exactly, so races are tested there) and, for the same sequence of calls, against
/// the test endpoint.
@Suite struct ResumableStoreTests {
    static func record(_ id: String = UUID().uuidString) -> ResumableRecord {
        let now = Date()
        var record = ResumableRecord(
            id: id, key: "uploads/\(id)/movie.mp4", length: 3 << 30, metadata: ["filename": "movie.mp4"], partSize: 8 << 20,
            created: now, expires: now.addingTimeInterval(86_400))
        record.chainState = Data([1, 2, 3]).base64EncodedString()
        return record
    }

    /// Create, read, lease, lose the lease to a later owner, release: one store's whole story.
    static func leaseStory(_ store: ResumableStore) async throws {
        let created = try await store.create(record())
        let id = created.record.id
        await #expect(throws: ResumableStoreError.exists(id: id)) { try await store.create(created.record) }
        #expect(try await store.read(id).record == created.record)
        await #expect(throws: ResumableStoreError.notFound(id: "missing-\(id)")) { try await store.read("missing-\(id)") }

        let now = Date()
        let first = try await store.acquire(id, owner: "a", for: .seconds(30), now: now)
        #expect(first.record.lease?.owner == "a")
        await #expect(throws: ResumableStoreError.locked(id: id)) { try await store.acquire(id, owner: "b", for: .seconds(30), now: now) }
        // The same owner may take it again (a retried request).
        let again = try await store.acquire(id, owner: "a", for: .seconds(30), now: now)

        // a's lease runs out; b takes over; a's next write must fail.
        let later = now.addingTimeInterval(31)
        let taken = try await store.acquire(id, owner: "b", for: .seconds(30), now: later)
        var progress = again.record
        progress.offset = 5 << 20
        await #expect(throws: ResumableStoreError.leaseLost(id: id)) { try await store.update(progress, over: again.etag, owner: "a") }

        // b writes progress and releases; anyone may take it next.
        var released = taken.record
        released.offset = 8 << 20
        released.lease = nil
        let stored = try await store.update(released, over: taken.etag, owner: "b")
        #expect(try await store.read(id).record.offset == 8 << 20)
        #expect(try await store.acquire(id, owner: "c", for: .seconds(30), now: later).record.offset == 8 << 20)
        _ = stored
    }

    @Test func theSweepRemovesExpiredUploadsThatNoOneHolds() async throws {
        let s3 = InMemoryS3()
        let store = ResumableStore(s3: s3, bucket: "b", prefix: ".resumable/")
        let now = Date()
        // Expired, with a multipart upload and pending bytes: everything goes.
        var expired = ResumableStoreTests.record("expired")
        expired.expires = now.addingTimeInterval(-1)
        expired.multipartUploadId = try await s3.createMultipartUpload(bucket: "b", key: expired.key, attributes: ObjectAttributes(), checksum: .none)
        expired.pendingBytes = 3
        _ = try await store.create(expired)
        _ = try await s3.putObject(
            bucket: "b", key: store.pendingKey("expired"), body: ByteBuffer(bytes: [1, 2, 3]), attributes: ObjectAttributes(), checksum: .none, digest: nil,
            condition: nil)
        // Expired but written by a request right now: it finishes first.
        var held = ResumableStoreTests.record("held")
        held.expires = now.addingTimeInterval(-1)
        _ = try await store.create(held)
        _ = try await store.acquire("held", owner: "a", for: .seconds(30), now: now)
        _ = try await store.create(ResumableStoreTests.record("alive"))

        #expect(try await store.removeExpired(bucket: "b", now: now) == ["expired"])
        #expect(s3.unfinishedUploads == 0)
        #expect(s3.objects.keys.sorted() == [store.infoKey("alive"), store.infoKey("held")])
        // Once the lease has run out, the held one goes too.
        #expect(try await store.removeExpired(bucket: "b", now: now.addingTimeInterval(31)) == ["held"])
    }

    @Test func leaseInMemory() async throws {
        try await ResumableStoreTests.leaseStory(ResumableStore(s3: InMemoryS3(), bucket: "b", prefix: ".resumable/"))
    }

    @Test(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason))
    func leaseOnTheTestEndpoint() async throws {
        let s3 = S3TestEnvironment.current!
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        try await ResumableStoreTests.leaseStory(ResumableStore(s3: client, bucket: s3.bucket, prefix: S3TestEnvironment.prefix()))
    }

    /// Eight requests for one upload at the same moment, twenty times over: exactly one gets it.
    @Test func exactlyOneOfManyConcurrentRequestsGetsTheLease() async throws {
        let store = ResumableStore(s3: InMemoryS3(), bucket: "b", prefix: ".resumable/")
        for _ in 0..<20 {
            let id = try await store.create(ResumableStoreTests.record()).record.id
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for owner in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await store.acquire(id, owner: "owner-\(owner)", for: .seconds(30))
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
        }
    }

    /// A write whose answer was lost and is sent again finds its own first attempt: a success.
    @Test func aRepeatedWriteOfTheSameVersionIsNotALostLease() async throws {
        let store = ResumableStore(s3: InMemoryS3(), bucket: "b", prefix: ".resumable/")
        let id = try await store.create(ResumableStoreTests.record()).record.id
        let held = try await store.acquire(id, owner: "a", for: .seconds(30))
        var progress = held.record
        progress.offset = 1234
        let first = try await store.update(progress, over: held.etag, owner: "a")
        let repeated = try await store.update(progress, over: held.etag, owner: "a")
        #expect(repeated.etag == first.etag)
        var other = progress
        other.offset = 999
        await #expect(throws: ResumableStoreError.leaseLost(id: id)) { try await store.update(other, over: held.etag, owner: "a") }
    }

    @Test func aPartKeepsWhetherItsETagIsItsMD5AndRecordsFromBeforeTakeItForOne() throws {
        let sealed = ResumableRecord.Part(number: 2, etag: "\"0f1e\"", checksum: nil, etagIsMD5: false)
        #expect(try JSONDecoder().decode(ResumableRecord.Part.self, from: JSONEncoder().encode(sealed)) == sealed)
        let older = try JSONDecoder().decode(ResumableRecord.Part.self, from: Data(#"{"number":1,"etag":"\"abc\"","checksum":"q80="}"#.utf8))
        #expect(older == ResumableRecord.Part(number: 1, etag: "\"abc\"", checksum: "q80=", etagIsMD5: true))
    }
}
