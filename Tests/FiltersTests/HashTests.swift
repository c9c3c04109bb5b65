import Checksums
@testable import Filters
import NIOCore
import TestSupport
import Testing

@Suite struct HashTests {
    static let check = [UInt8]("123456789".utf8)

    @Test func knownVectors() async throws {
        let chain = try Chain.from("- hash: { algorithms: [sha256, sha1, md5, crc32, crc32c] }")
        let (result, all) = try await chain.runAllChunkings(HashTests.check)
        #expect(Set(all.values.map(\.upload.digests)).count == 1)
        let digests = result.upload.digests
        #expect(digests["sha256"] == "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225")
        #expect(digests["sha1"] == "f7c3bc1d808e04732adf679965ccc34ca7ae3441")
        #expect(digests["md5"] == "25f9e794323b453885f5181f1b624d0b")
        // The CRC catalogue's check values for CRC-32 and CRC-32C.
        #expect(digests["crc32"] == "cbf43926")
        #expect(digests["crc32c"] == "e3069283")
        #expect(digests.map(\.algorithm) == ["sha256", "sha1", "md5", "crc32", "crc32c"])
        #expect(result.output == HashTests.check)
    }

    @Test func emptyInput() async throws {
        let chain = try Chain.from("- hash: { algorithms: [sha256, crc32c] }")
        let result = try await chain.run([])
        #expect(result.upload.digests["sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(result.upload.digests["crc32c"] == "00000000")
    }

    @Test func chunkingDoesNotChangeDigestsOfLargeInput() async throws {
        var rng = SeededRandom(seed: 7)
        let bytes = rng.bytes(200_003)
        let chain = try Chain.from("- hash: { algorithms: [sha256, sha1, md5, crc32, crc32c] }")
        let (_, all) = try await chain.runAllChunkings(bytes)
        #expect(Set(all.values.map(\.upload.digests)).count == 1)
        // crc32c slicing-by-8 against the bitwise definition.
        #expect(all[.whole]!.upload.digests["crc32c"] == HashTests.bitwiseCRC32C(bytes))
    }

    static func bitwiseCRC32C(_ bytes: [UInt8]) -> String {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return String(crc ^ 0xFFFF_FFFF, radix: 16).leftPad(8)
    }

    @Test func hashAfterGzipDigestsWhatIsStored() async throws {
        let text = [UInt8](String(repeating: "stored bytes differ from the original\n", count: 100).utf8)
        let before = try Chain.from("""
            - magic: {}
            - hash: { algorithms: [sha256] }
            - gzip: {}
            """)
        let after = try Chain.from("""
            - magic: {}
            - gzip: {}
            - hash: { algorithms: [sha256] }
            """)
        let original = try await before.run(text, upload: Upload(declaredType: "text/plain"))
        let stored = try await after.run(text, upload: Upload(declaredType: "text/plain"))
        #expect(original.upload.digests["sha256"] == DigestAlgorithm.sha256.digest(text).hex)
        #expect(stored.upload.digests["sha256"] == DigestAlgorithm.sha256.digest(stored.output).hex)
        #expect(original.upload.digests["sha256"] != stored.upload.digests["sha256"])
    }
}

extension DigestAlgorithm {
    func digest(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { digest($0) } }
}

extension String {
    func leftPad(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}

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
