@testable import Filters
import NIOCore
import TestSupport
import Testing

/// A gzip member cut into blocks compressed apart (on helper threads or on the reader): valid
/// gzip that gunzip reads back, the same bytes whoever compressed which block, and helpers that
/// go when the upload ends, finished or not.
@Suite struct GzipMemberTests {
    /// Text that compresses, but not trivially, across several blocks and a short last one.
    static func text(_ count: Int, seed: UInt64 = 3) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        let words = ["upload", "stream", "part", "chain", "filter", "sink", "bucket", "digest", "\n", " "].map { Array($0.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count { out += words[Int(rng.next() % UInt64(words.count))] }
        return Array(out.prefix(count))
    }

    static func compress(_ bytes: [UInt8], level: Int32, helpers: HelperThreads?, chunk: Int) throws -> [UInt8] {
        let member = GzipMember(level: level, helpers: helpers)
        var out: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = Swift.min(bytes.count, start + chunk)
            out += try member.write(ByteBuffer(bytes: bytes[start..<end])).readableBytesView
            start = end
        }
        out += try member.finish().readableBytesView
        return out
    }

    @Test(arguments: [0, 1, GzipMember.blockSize - 1, GzipMember.blockSize, GzipMember.blockSize + 1, 5 * GzipMember.blockSize + 777])
    func blocksMakeValidGzipWhoeverCompressesThem(size: Int) throws {
        let text = GzipMemberTests.text(size)
        let helpers = HelperThreads(limit: 4)
        let threaded = try GzipMemberTests.compress(text, level: 6, helpers: helpers, chunk: 65_536 + 3)
        let inline = try GzipMemberTests.compress(text, level: 6, helpers: nil, chunk: 1_000_003)
        #expect(try gunzip(threaded) == text)
        #expect(threaded == inline, "the same bytes with or without helper threads, however chunked")
        #expect(helpers.settle(), "every helper is free again")
        if size > 4096 { #expect(threaded.count < size / 2, "it compresses") }
    }

    @Test(arguments: [1, 9])
    func everyLevelReadsBack(level: Int32) throws {
        let text = GzipMemberTests.text(3 * GzipMember.blockSize + 12_345, seed: UInt64(level))
        #expect(try gunzip(GzipMemberTests.compress(text, level: level, helpers: HelperThreads(limit: 2), chunk: 131_072)) == text)
    }

    /// The cuts cost little: within 1 % of gzip -6 in one stream over the same text.
    @Test func blocksCostLittleSize() throws {
        let text = GzipMemberTests.text(16 * GzipMember.blockSize)
        let blocks = try GzipMemberTests.compress(text, level: 6, helpers: nil, chunk: 131_072)
        let single = try systemGzip(text, level: 6)
        #expect(Double(blocks.count) <= Double(single.count) * 1.01, "\(blocks.count) against \(single.count)")
    }

    @Test func anUploadStoppedMidwayLetsItsHelpersGo() async throws {
        let helpers = HelperThreads(limit: 4)
        do {
            let member = GzipMember(level: 6, helpers: helpers)
            for _ in 0..<6 { _ = try member.write(ByteBuffer(bytes: GzipMemberTests.text(GzipMember.blockSize))) }
            // A helper starts only where there is a core to spare beside the reader's.
            if System.coreCount > 1 { #expect(helpers.busyCount == 1, "a helper thread took the work") }
        }
        #expect(helpers.settle(), "a helper is still running")
    }
}
