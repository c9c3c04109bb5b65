import Checksums
@testable import Filters
import NIOCore
import TestSupport
import Testing

/// A chain run suspended between chunks, carried as bytes and taken up by a fresh chain gives
/// what the same bytes give in one go: the verdict, the stored bytes, the headers, the digests.
@Suite struct ResumeTests {
    static let everyDigest = """
        - size-limit: { max: 10MiB }
        - magic: {}
        - disposition: {}
        - hash: { algorithms: [sha256, sha1, md5, crc32, crc32c] }
        """

    /// One upload's result, whether it was interrupted or not.
    struct Result: Equatable {
        var rejection: Rejection?
        /// What reached the sink, by size and SHA-256: a failed comparison of megabytes of
        /// bytes would take swift-testing minutes to print.
        var output: Stored
        var upload: Upload?
        var sealedHead: ObjectHead?
    }

    struct Stored: Equatable {
        var count: Int
        var sha256: String

        init(_ bytes: [UInt8]) {
            count = bytes.count
            sha256 = bytes.withUnsafeBytes { DigestAlgorithm.sha256.digest($0).hex }
        }
    }

    /// Runs `bytes` through `steps` in `chunk`-sized writes, suspending at each of `cuts` and
    /// resuming on a chain built afresh from the same steps (with `resources`, when given: as
    /// another process would).
    static func run(
        _ steps: String, _ bytes: [UInt8], upload: Upload, cuts: [Int] = [], chunk: Int = 16_384, resources: FilterResources = .forTests
    ) throws -> Result {
        precondition(cuts.allSatisfy { (0..<bytes.count).contains($0) }, "cuts inside the upload")
        var run = try Chain.from(steps).start(upload, resources: .forTests)
        var output: [UInt8] = []
        var offset = 0
        do {
            for end in cuts.sorted() + [bytes.count] {
                while offset < end {
                    let count = min(chunk, end - offset)
                    if let out = try run.write(ByteBuffer(bytes: bytes[offset..<(offset + count)])) { output += out.readableBytesView }
                    offset += count
                }
                guard end < bytes.count || cuts.contains(end) else { continue }
                let (saved, drained) = try run.suspend()
                for out in drained { output += out.readableBytesView }
                let carried = try SuspendedRun(decoding: saved.encoded())
                #expect(carried == saved)
                run = try Chain.from(steps).resume(carried, resources: resources)
            }
            for out in try run.finish() { output += out.readableBytesView }
            return Result(output: Stored(output), upload: run.upload, sealedHead: run.sealedHead)
        } catch let rejection as Rejection {
            return Result(rejection: rejection, output: Stored([]))
        }
    }

    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        return rng.bytes(count)
    }

    @Test(arguments: ["image.png", "notes.txt", "document.pdf", "photo.jpg", "data.json"])
    func fixturesCutInsideTheMagicWindowAndNearTheEnd(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let upload = Upload(filename: name)
        let whole = try ResumeTests.run(ResumeTests.everyDigest, bytes, upload: upload)
        #expect(whole.rejection == nil)
        let n = bytes.count
        for cuts in [[1], [min(100, n - 1)], [n / 2], [n - 1], [1, 2, 3, n - 1]] {
            let resumed = try ResumeTests.run(ResumeTests.everyDigest, bytes, upload: upload, cuts: cuts, chunk: 1000)
            #expect(resumed == whole, "\(name) cut at \(cuts)")
        }
    }

    /// Past the first MiB the slow digests run on helper threads: a suspension takes them back.
    @Test func aLargeUploadBrokenFiveTimesAtRandomOffsets() throws {
        let bytes = ResumeTests.random(5 << 20 + 123, seed: 5)
        let upload = Upload(declaredType: "application/octet-stream", filename: "blob.bin")
        let whole = try ResumeTests.run(ResumeTests.everyDigest, bytes, upload: upload)
        var rng = SeededRandom(seed: 55)
        for _ in 0..<3 {
            let cuts = (0..<5).map { _ in Int(rng.next() % UInt64(bytes.count)) }
            #expect(try ResumeTests.run(ResumeTests.everyDigest, bytes, upload: upload, cuts: cuts, chunk: 65_536) == whole, "cuts \(cuts)")
        }
        // Cuts on the window's edge and on 8 MiB-part-like boundaries, one byte before the end.
        let edges = [65_535, 65_536, 65_537, 1 << 20, bytes.count - 1]
        #expect(try ResumeTests.run(ResumeTests.everyDigest, bytes, upload: upload, cuts: edges, chunk: 65_536) == whole)
    }

    /// Text longer than the sniff window, broken inside it: libmagic judges the whole window.
    @Test func textBrokenInsideTheSniffWindow() throws {
        var text: [UInt8] = []
        var line = 0
        while text.count < 150_000 {
            text += Array("2026-12-02T16:\(line % 60):00Z INFO request_id=\(line) path=/api/items/\(line * 7) status=200\n".utf8)
            line += 1
        }
        let upload = Upload(declaredType: "text/plain", filename: "app.log")
        let whole = try ResumeTests.run(ResumeTests.everyDigest, text, upload: upload)
        #expect(whole.rejection == nil)
        #expect(whole.sealedHead?.contentType == "text/plain; charset=utf-8")
        for cuts in [[30_000], [65_535], [65_536], [1, 40_000, 65_535, 65_537, 149_999]] {
            #expect(try ResumeTests.run(ResumeTests.everyDigest, text, upload: upload, cuts: cuts, chunk: 4096) == whole, "cuts \(cuts)")
        }
    }

    @Test func resumedWithResourcesOfItsOwnAsAnotherProcessWould() throws {
        let bytes = try Fixtures.bytes("image.png")
        let other = FilterResources()
        defer { other.shutdown() }
        let upload = Upload(declaredType: "image/png", filename: "image.png")
        let whole = try ResumeTests.run(ResumeTests.everyDigest, bytes, upload: upload)
        #expect(try ResumeTests.run(ResumeTests.everyDigest, bytes, upload: upload, cuts: [10, 200], chunk: 50, resources: other) == whole)
        #expect(whole.sealedHead?.contentType == "image/png")
        #expect(whole.upload?.disposition == .inline)
    }

    @Test func refusalsAreTheSameWhereverTheUploadWasBroken() throws {
        let text = try Fixtures.bytes("notes.txt")
        let imagesOnly = "- magic: { allow: [image/png] }\n- hash: {}"
        let refused = try ResumeTests.run(imagesOnly, text, upload: Upload(filename: "notes.txt"))
        #expect(refused.rejection?.code == "type_not_allowed")
        for cut in [1, 10, text.count - 1] {
            #expect(try ResumeTests.run(imagesOnly, text, upload: Upload(filename: "notes.txt"), cuts: [cut], chunk: 7).rejection == refused.rejection)
        }
        let bytes = ResumeTests.random(5000, seed: 1)
        let small = "- size-limit: { max: 3000 }"
        let tooLarge = try ResumeTests.run(small, bytes, upload: Upload())
        #expect(tooLarge.rejection?.code == "size_exceeded")
        for cut in [100, 2999, 3000, 3001] {
            #expect(try ResumeTests.run(small, bytes, upload: Upload(), cuts: [cut], chunk: 256).rejection == tooLarge.rejection, "cut at \(cut)")
        }
    }

    /// Blocks compressed on helper threads are drained to the sink; the block being filled,
    /// the dictionary and the CRC are the state: the stored bytes are the same as in one go.
    @Test func gzipResumesWithTheSameBytes() throws {
        var text: [UInt8] = []
        var rng = SeededRandom(seed: 8)
        while text.count < 600_000 { text += Array("line \(rng.next() % 5000) of a log, status=\(rng.next() % 5)\n".utf8) }
        let steps = "- magic: {}\n- gzip: { level: 6 }\n- hash: { algorithms: [sha256, crc32] }"
        let upload = Upload(declaredType: "text/plain", filename: "app.log")
        let whole = try ResumeTests.run(steps, text, upload: upload)
        #expect(whole.sealedHead?.contentEncoding == "gzip")
        #expect(whole.output.count < text.count / 2)
        let block = GzipMember.blockSize
        for cuts in [[1], [block - 1, block, block + 1], [3 * block], [100_000, 250_000, 400_000, 599_999], [text.count - 1]] {
            #expect(try ResumeTests.run(steps, text, upload: upload, cuts: cuts, chunk: 16_384) == whole, "cuts \(cuts)")
        }
        // A type gzip leaves alone passes through, suspended or not.
        let png = try Fixtures.bytes("image.png")
        let plain = try ResumeTests.run(steps, png, upload: Upload(filename: "image.png"))
        #expect(plain.output == Stored(png))
        #expect(try ResumeTests.run(steps, png, upload: Upload(filename: "image.png"), cuts: [5, 100], chunk: 10) == plain)
    }

    @Test func aChainWithAFilterThatCannotSaveItsStateSaysWhich() throws {
        var registry = FilterRegistry.standard
        registry.register(LineCountFilter.definition)
        let chain = try Chain.from("- magic: {}\n- line-count: { max: 10 }\n- hash: {}", registry: registry)
        #expect(chain.stepsThatCannotResume == ["line-count"])
        var run = try chain.start(Upload(declaredType: "text/plain"), resources: .forTests)
        _ = try run.write(ByteBuffer(string: "some text\n"))
        #expect(throws: FilterStateError.self) { try run.suspend() }
        #expect(try Chain.from(ResumeTests.everyDigest + "\n- gzip: {}").stepsThatCannotResume.isEmpty)
    }

    @Test func aSuspendedRunIsTakenUpOnlyByItsOwnChain() throws {
        var run = try Chain.from("- size-limit: { max: 1MiB }\n- hash: {}").start(Upload(), resources: .forTests)
        _ = try run.write(ByteBuffer(string: "abc"))
        let (saved, _) = try run.suspend()
        #expect(throws: FilterStateError.self) { try Chain.from("- hash: {}").resume(saved, resources: .forTests) }
        #expect(throws: FilterStateError.self) { try SuspendedRun(decoding: Array(saved.encoded().dropLast())) }
        var wrongVersion = saved
        wrongVersion.steps[1].state.version = 99
        #expect(throws: FilterStateError.self) { try Chain.from("- size-limit: { max: 1MiB }\n- hash: {}").resume(wrongVersion, resources: .forTests) }
    }
}
