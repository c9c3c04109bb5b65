import Checksums
import Filters
import Foundation
import NIOCore
import S3
@testable import Storage
import TestSupport
import Synchronization
import Testing

/// A resumable upload sent in several requests, each a writer of its own (as on another
/// instance): the object and its digests are those of the same bytes in one request, parts all
/// of one size but the last, and nothing is left behind when it ends any other way.
@Suite struct ResumableWriterTests {
    static let steps = """
        - size-limit: { max: 64MiB }
        - magic: {}
        - disposition: {}
        - hash: { algorithms: [sha256, md5, crc32c] }
        """
    static let partSize = 5 << 20

    struct Fixture {
        var s3 = InMemoryS3()
        var store: ResumableStore { ResumableStore(s3: s3, bucket: "b", prefix: ".resumable/") }
        var settings: S3UploadSettings {
            var settings = S3UploadSettings(bucket: "b")
            settings.partSize = ResumableWriterTests.partSize
            return settings
        }

        func create(length: Int64?, steps: String = ResumableWriterTests.steps, name: String = "blob.bin") async throws -> String {
            let id = UUID().uuidString
            let record = ResumableRecord(
                id: id, key: "uploads/\(id)/\(name)", length: length, metadata: ["filename": name], partSize: ResumableWriterTests.partSize,
                created: Date(), expires: Date().addingTimeInterval(3600))
            let upload = Upload(declaredType: "application/octet-stream", filename: name, declaredLength: length)
            _ = try await ResumableWriter.create(record, upload: upload, store: store, chain: try Chain.from(steps), resources: .forTests)
            return id
        }

        /// One request: `bytes[from..<to]` in 64 KiB writes, then paused (or finished at the end).
        func request(_ id: String, _ bytes: [UInt8], from: Int, to: Int, steps: String = ResumableWriterTests.steps, resources: FilterResources = .forTests)
            async throws -> (offset: Int64, stored: StoredObject?, upload: Upload)
        {
            var writer = try await ResumableWriter.open(id, store: store, settings: settings, chain: try Chain.from(steps), resources: resources)
            #expect(writer.offset == Int64(from))
            var at = from
            while at < to {
                let end = min(to, at + (64 << 10))
                try await writer.write(ByteBuffer(bytes: bytes[at..<end]))
                at = end
            }
            if to == bytes.count {
                let stored = try await writer.finish()
                return (writer.offset, stored, writer.upload)
            }
            _ = try await writer.pause()
            return (writer.offset, nil, writer.upload)
        }

        func send(_ bytes: [UInt8], cuts: [Int], resources: FilterResources = .forTests) async throws -> (StoredObject, Upload, String) {
            let id = try await create(length: Int64(bytes.count))
            var from = 0
            var last: (offset: Int64, stored: StoredObject?, upload: Upload)?
            for to in cuts.sorted() + [bytes.count] {
                last = try await request(id, bytes, from: from, to: to, resources: resources)
                #expect(last!.offset == Int64(to))
                from = to
            }
            return (try #require(last?.stored), last!.upload, id)
        }

        func leftovers() -> (objects: [String], uploads: Int) {
            (s3.objects.keys.filter { $0.hasPrefix(".resumable/") }.sorted(), s3.unfinishedUploads)
        }
    }

    /// Random bytes: a random block of an odd size, repeated (generating megabytes one by one
    /// in a debug build would hold a test thread for seconds).
    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        let block = rng.bytes(min(count, (1 << 20) + 7))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count { bytes += block.prefix(count - bytes.count) }
        return bytes
    }

    @Test func brokenFiveTimesStoresWhatOneRequestStores() async throws {
        let bytes = ResumableWriterTests.random(2 * ResumableWriterTests.partSize + 12_345, seed: 18)
        let once = Fixture()
        let (whole, wholeUpload, _) = try await once.send(bytes, cuts: [])
        var rng = SeededRandom(seed: 4)
        let cuts = [1000, ResumableWriterTests.partSize - 1, ResumableWriterTests.partSize + 1] + (0..<2).map { _ in Int(rng.next() % UInt64(bytes.count)) }
        let broken = Fixture()
        let other = FilterResources()
        defer { other.shutdown() }
        let (resumed, resumedUpload, _) = try await broken.send(bytes, cuts: cuts, resources: other)
        let object = try #require(broken.s3.objects[resumed.key])
        // Compared by digest: a failed comparison of two 15 MiB arrays takes swift-testing minutes to print.
        #expect(object.bytes.count == bytes.count)
        #expect(ByteBuffer(bytes: object.bytes).sha256 == ByteBuffer(bytes: bytes).sha256)
        #expect(object.parts == 3)
        #expect(resumed.parts == 3)
        #expect(resumedUpload.digests == wholeUpload.digests)
        #expect(resumedUpload.digests["sha256"] == ByteBuffer(bytes: bytes).sha256)
        #expect(object.attributes.contentDisposition == once.s3.objects[whole.key]?.attributes.contentDisposition)
        #expect(broken.leftovers().objects.isEmpty)
        #expect(broken.leftovers().uploads == 0)
    }

    @Test func aSmallUploadBrokenTwiceIsOnePutObject() async throws {
        let bytes = Array(try Fixtures.bytes("image.png"))
        let fixture = Fixture()
        let (stored, upload, _) = try await fixture.send(bytes, cuts: [10, 200])
        #expect(stored.parts == 1)
        #expect(fixture.s3.objects[stored.key]?.bytes == bytes)
        #expect(fixture.s3.objects[stored.key]?.attributes.contentType == "image/png")
        #expect(upload.sniffedType == "image/png")
        #expect(fixture.s3.calls.filter { $0.operation == "CreateMultipartUpload" }.isEmpty)
        #expect(fixture.leftovers().objects.isEmpty)
    }

    @Test func aSecondRequestWaitsForTheFirstsLease() async throws {
        let fixture = Fixture()
        let id = try await fixture.create(length: 100)
        var first = try await ResumableWriter.open(id, store: fixture.store, settings: fixture.settings, chain: try Chain.from(ResumableWriterTests.steps), resources: .forTests)
        await #expect(throws: ResumableStoreError.locked(id: id)) {
            _ = try await ResumableWriter.open(id, store: fixture.store, settings: fixture.settings, chain: try Chain.from(ResumableWriterTests.steps), resources: .forTests)
        }
        try await first.write(ByteBuffer(bytes: ResumableWriterTests.random(40, seed: 1)))
        #expect(try await first.pause().offset == 40)
        let second = try await ResumableWriter.open(id, store: fixture.store, settings: fixture.settings, chain: try Chain.from(ResumableWriterTests.steps), resources: .forTests)
        #expect(second.offset == 40)
    }

    @Test func aDiscardedRequestLeavesTheOffsetWhereItWas() async throws {
        let bytes = ResumableWriterTests.random(ResumableWriterTests.partSize * 2 + 77, seed: 9)
        let fixture = Fixture()
        let id = try await fixture.create(length: Int64(bytes.count))
        _ = try await fixture.request(id, bytes, from: 0, to: 3000)
        // A request that sends a whole part and more, then is dropped (a checksum mismatch).
        var dropped = try await ResumableWriter.open(id, store: fixture.store, settings: fixture.settings, chain: try Chain.from(ResumableWriterTests.steps), resources: .forTests)
        try await dropped.write(ByteBuffer(bytes: ResumableWriterTests.random(ResumableWriterTests.partSize + 10, seed: 666)))
        try await dropped.discard()
        let (offset, stored, upload) = try await fixture.request(id, bytes, from: 3000, to: bytes.count)
        #expect(offset == Int64(bytes.count))
        let key = try #require(stored).key
        let object = try #require(fixture.s3.objects[key])
        #expect(ByteBuffer(bytes: object.bytes).sha256 == ByteBuffer(bytes: bytes).sha256)
        #expect(upload.digests["sha256"] == ByteBuffer(bytes: bytes).sha256)
    }

    @Test func aPartTheStorageRefusedIsNotLost() async throws {
        // UploadPart 2 fails twice: in the request's write, and once more in its save.
        let failures = Mutex(2)
        let s3 = InMemoryS3(fault: { call in
            guard call.operation == "UploadPart", call.part == 2 else { return nil }
            return failures.withLock { left in
                defer { left -= 1 }
                return left > 0 ? S3Error(operation: "UploadPart", resource: "", status: 503, code: "SlowDown", message: "injected") : nil
            }
        })
        let fixture = Fixture(s3: s3)
        let bytes = ResumableWriterTests.random(ResumableWriterTests.partSize * 2 + 4321, seed: 12)
        let id = try await fixture.create(length: Int64(bytes.count))
        var writer = try await ResumableWriter.open(id, store: fixture.store, settings: fixture.settings, chain: try Chain.from(ResumableWriterTests.steps), resources: .forTests)
        await #expect(throws: S3Error.self) {
            var at = 0
            while at < bytes.count {
                try await writer.write(ByteBuffer(bytes: bytes[at..<min(bytes.count, at + (64 << 10))]))
                at += 64 << 10
            }
        }
        let received = writer.offset
        await #expect(throws: S3Error.self) { _ = try await writer.pause() }
        // The second save goes through: every byte received is kept, part 2 among them.
        #expect(try await writer.pause().offset == received)
        let (offset, stored, _) = try await fixture.request(id, bytes, from: Int(received), to: bytes.count)
        #expect(offset == Int64(bytes.count))
        let key = try #require(stored).key
        let object = try #require(fixture.s3.objects[key])
        #expect(ByteBuffer(bytes: object.bytes).sha256 == ByteBuffer(bytes: bytes).sha256)
    }

    @Test(arguments: [ResumableWriterTests.partSize * 2 + 4321, ResumableWriterTests.partSize * 3])
    func aCompletionWhoseAnswerWasLostIsFoundByTheRequestThatSendsTheEndAgain(length: Int) async throws {
        // The last request's CompleteMultipartUpload stores the object and its answer is lost:
        // the request fails and lets the upload go back to where it found it. The client sends
        // the end again; S3 has forgotten the completed upload, and the key holds these bytes.
        let lost = Mutex(true)
        let fixture = Fixture(s3: InMemoryS3(losesAnswer: { _ in lost.withLock { lost in defer { lost = false }; return lost } }))
        let bytes = ResumableWriterTests.random(length, seed: 21)
        let id = try await fixture.create(length: Int64(bytes.count))
        let cut = ResumableWriterTests.partSize + 1234
        _ = try await fixture.request(id, bytes, from: 0, to: cut)
        var writer = try await ResumableWriter.open(id, store: fixture.store, settings: fixture.settings, chain: try Chain.from(ResumableWriterTests.steps), resources: .forTests)
        try await writer.write(ByteBuffer(bytes: bytes[cut...]))
        await #expect(throws: InMemoryS3.AnswerLost.self) { _ = try await writer.finish() }
        try await writer.discard()
        let key = try #require(fixture.s3.objects.keys.first { !$0.hasPrefix(".resumable/") })

        let (offset, stored, upload) = try await fixture.request(id, bytes, from: cut, to: bytes.count)
        #expect(offset == Int64(bytes.count))
        #expect(stored?.key == key)
        #expect(stored?.etag == fixture.s3.objects[key]?.etag)
        #expect(stored?.parts == (length + ResumableWriterTests.partSize - 1) / ResumableWriterTests.partSize)
        #expect(ByteBuffer(bytes: try #require(fixture.s3.objects[key]).bytes).sha256 == ByteBuffer(bytes: bytes).sha256)
        #expect(upload.digests["sha256"] == ByteBuffer(bytes: bytes).sha256)
        #expect(fixture.leftovers().objects.isEmpty)
        #expect(fixture.leftovers().uploads == 0)
    }

    @Test(arguments: [false, true])
    func aMissingUploadStaysAFailureUnlessTheKeyHoldsTheseBytes(otherObject: Bool) async throws {
        // The upload is gone, and the key holds nothing, or an object that other bytes made.
        let fixture = Fixture()
        let bytes = ResumableWriterTests.random(ResumableWriterTests.partSize * 2 + 10, seed: 22)
        let id = try await fixture.create(length: Int64(bytes.count))
        _ = try await fixture.request(id, bytes, from: 0, to: ResumableWriterTests.partSize + 5)
        let record = try await fixture.store.read(id).record
        try await fixture.s3.abortMultipartUpload(bucket: "b", key: record.key, uploadId: try #require(record.multipartUploadId))
        if otherObject {
            _ = try await fixture.s3.putObject(
                bucket: "b", key: record.key, body: ByteBuffer(bytes: bytes.reversed()), attributes: ObjectAttributes(), checksum: .none,
                digest: nil, condition: nil)
        }
        let error = await #expect(throws: S3Error.self) {
            _ = try await fixture.request(id, bytes, from: ResumableWriterTests.partSize + 5, to: bytes.count)
        }
        #expect(error?.code == "NoSuchUpload")
    }

    @Test func aMultipartUploadIsInTheRecordBeforeItsFirstPart() async throws {
        // Every part is refused, and the process dies with its request: nothing of the request
        // runs after the failure. The stored record knows the upload, so removing it aborts it.
        let s3 = InMemoryS3(fault: { call in
            call.operation == "UploadPart" ? S3Error(operation: "UploadPart", resource: "", status: 403, code: "AccessDenied", message: "injected") : nil
        })
        let fixture = Fixture(s3: s3)
        let bytes = ResumableWriterTests.random(ResumableWriterTests.partSize + 10, seed: 23)
        let id = try await fixture.create(length: Int64(bytes.count))
        var writer = try await ResumableWriter.open(id, store: fixture.store, settings: fixture.settings, chain: try Chain.from(ResumableWriterTests.steps), resources: .forTests)
        await #expect(throws: S3Error.self) { try await writer.write(ByteBuffer(bytes: bytes)) }
        #expect(fixture.s3.unfinishedUploads == 1)
        let record = try await fixture.store.read(id).record
        #expect(record.multipartUploadId != nil)
        #expect(record.offset == 0, "the record's progress is the last consistent state's")
        await fixture.store.remove(record, bucket: "b")
        #expect(fixture.s3.unfinishedUploads == 0)
        #expect(fixture.leftovers().objects.isEmpty)
    }

    @Test func aRefusalEndsTheUploadWithNothingLeft() async throws {
        let steps = "- size-limit: { max: 6MiB }\n- hash: {}"
        let fixture = Fixture()
        let id = try await fixture.create(length: nil, steps: steps)
        let bytes = ResumableWriterTests.random(7 << 20, seed: 2)
        _ = try await fixture.request(id, bytes, from: 0, to: 3 << 20, steps: steps)
        var writer = try await ResumableWriter.open(id, store: fixture.store, settings: fixture.settings, chain: try Chain.from(steps), resources: .forTests)
        let rejection = await #expect(throws: Rejection.self) {
            var at = 3 << 20
            while at < bytes.count {
                try await writer.write(ByteBuffer(bytes: bytes[at..<min(bytes.count, at + (1 << 20))]))
                at += 1 << 20
            }
        }
        #expect(rejection?.code == "size_exceeded")
        await writer.abandon()
        #expect(fixture.leftovers().objects.isEmpty)
        #expect(fixture.leftovers().uploads == 0)
        #expect(fixture.s3.objects.isEmpty)
        await #expect(throws: ResumableStoreError.notFound(id: id)) { try await fixture.store.read(id) }
    }

    @Test func aDeclaredLengthOverTheLimitIsRefusedAtCreation() async throws {
        let fixture = Fixture()
        await #expect(throws: Rejection.self) { try await fixture.create(length: 65 << 20) }
        #expect(fixture.s3.objects.isEmpty)
    }
}
