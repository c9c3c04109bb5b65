import Checksums
@testable import Filters
import NIOCore
import TestSupport
import Testing

/// Past ``HashFilter/inlineBytes`` a thread hashes beside the reader: the digests are the same,
/// and an upload that stops without finishing lets the thread go.
@Suite struct DigestWorkerTests {
    static let algorithms: [DigestAlgorithm] = [.sha256, .sha1, .md5, .crc32, .crc32c]

    @Test(arguments: [HashFilter.inlineBytes - 1, HashFilter.inlineBytes, 3 * HashFilter.inlineBytes + 12_345, 9 * DigestWorker.maxQueuedBytes + 7])
    func digestsMatchHashingInOneGo(size: Int) throws {
        var rng = SeededRandom(seed: UInt64(size))
        let bytes = rng.bytes(size)
        let helpers = HelperThreads(limit: 1)
        var filter = HashFilter(algorithms: DigestWorkerTests.algorithms, helpers: helpers)
        var upload = Upload()
        var start = 0, sizes = [1, 131_072, 65_536 + 3, 2_000_000, 17].makeIterator()
        var handedOver = false
        while start < size {
            let length = Swift.min(size - start, sizes.next() ?? 131_072)
            let out = try filter.write(ByteBuffer(bytes: bytes[start..<(start + length)]), &upload)
            #expect(out?.readableBytes == length, "a chunk passes on whole")
            start += length
            handedOver = handedOver || !filter.workers.isEmpty
        }
        #expect(handedOver == (size > HashFilter.inlineBytes), "a thread takes over only past the inline bytes")
        _ = try filter.finish(&upload)
        #expect(filter.workers.isEmpty)
        #expect(helpers.settle(), "the helper is free again")
        for algorithm in DigestWorkerTests.algorithms {
            #expect(upload.digests[algorithm.rawValue] == algorithm.digest(bytes).hex, "\(algorithm)")
        }
    }

    /// Each slow digest gets a thread of its own while helpers are free; the rest stay inline.
    @Test(arguments: [1, 2, 3])
    func slowDigestsTakeAThreadEachWhileHelpersAreFree(slotCount: Int) throws {
        let algorithms: [DigestAlgorithm] = [.md5, .crc32, .sha256, .sha1]
        let helpers = HelperThreads(limit: slotCount)
        var filter = HashFilter(algorithms: algorithms, helpers: helpers)
        var rng = SeededRandom(seed: 5)
        let bytes = rng.bytes(4 * HashFilter.inlineBytes + 99)
        var upload = Upload()
        var start = 0
        while start < bytes.count {
            let end = Swift.min(bytes.count, start + 131_072)
            _ = try filter.write(ByteBuffer(bytes: bytes[start..<end]), &upload)
            start = end
        }
        #expect(filter.workers.map { algorithms[$0.index] } == Array([DigestAlgorithm.md5, .sha256, .sha1].prefix(slotCount)))
        #expect(helpers.busyCount == slotCount)
        _ = try filter.finish(&upload)
        #expect(helpers.settle(), "every helper is free again")
        for algorithm in algorithms {
            #expect(upload.digests[algorithm.rawValue] == algorithm.digest(bytes).hex, "\(algorithm)")
        }
    }

    @Test func checksumsAloneStayInline() throws {
        var filter = HashFilter(algorithms: [.crc32, .crc32c], helpers: HelperThreads(limit: 1))
        var upload = Upload()
        for _ in 0..<20 { _ = try filter.write(ByteBuffer(repeating: 7, count: 131_072), &upload) }
        #expect(filter.workers.isEmpty)
    }

    @Test func withoutAFreeHelperAnUploadHashesInlineUntilOneFrees() throws {
        let helpers = HelperThreads(limit: 1)
        let megabyte = ByteBuffer(repeating: 3, count: HashFilter.inlineBytes)
        var first = HashFilter(algorithms: [.sha256], helpers: helpers), second = first
        var upload = Upload(), other = Upload()
        for _ in 0..<2 { _ = try first.write(megabyte, &upload) }
        for _ in 0..<2 { _ = try second.write(megabyte, &other) }
        #expect(!first.workers.isEmpty && second.workers.isEmpty, "one helper: the second upload hashes inline")
        _ = try first.finish(&upload)
        #expect(helpers.settle(), "finish frees the helper")
        _ = try second.write(megabyte, &other)
        #expect(!second.workers.isEmpty)
        _ = try second.finish(&other)
        let expected = DigestAlgorithm.sha256.digest([UInt8](repeating: 3, count: 3 * HashFilter.inlineBytes)).hex
        #expect(other.digests["sha256"] == expected)
        #expect(upload.digests["sha256"] == DigestAlgorithm.sha256.digest([UInt8](repeating: 3, count: 2 * HashFilter.inlineBytes)).hex)
    }

    @Test func anUploadStoppedMidwayLetsTheThreadGo() async throws {
        weak var queue: DigestWorker.Queue?
        let helpers = HelperThreads(limit: 1)
        do {
            var filter = HashFilter(algorithms: [.sha256], helpers: helpers)
            var upload = Upload()
            for _ in 0..<40 { _ = try filter.write(ByteBuffer(repeating: 1, count: 131_072), &upload) }
            queue = filter.workers.first?.worker.queue
            #expect(queue != nil)
        }
        // The filter is gone without finish(): the thread ends and drops its queue.
        for _ in 0..<500 where queue != nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(queue == nil, "the digest thread is still running")
        #expect(helpers.settle(), "the helper is free again")
    }
}
