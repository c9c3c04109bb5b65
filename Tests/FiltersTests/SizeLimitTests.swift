import Filters
import NIOCore
import TestSupport
import Testing

@Suite struct SizeLimitTests {
    @Test(arguments: Chunking.allCases)
    func acceptsUpToMax(chunking: Chunking) async throws {
        let chain = try Chain.from("- size-limit: { max: 1000 }")
        let result = try await chain.run([UInt8](repeating: 7, count: 1000), chunking: chunking)
        #expect(result.rejection == nil)
        #expect(result.output.count == 1000)
    }

    @Test(arguments: Chunking.allCases)
    func refusesOneByteOver(chunking: Chunking) async throws {
        let chain = try Chain.from("- size-limit: { max: 1000 }")
        let result = try await chain.run([UInt8](repeating: 7, count: 1001), chunking: chunking)
        #expect(result.rejection?.code == "size_exceeded")
        #expect(result.rejection?.status == 413)
        #expect(result.rejection?.filter == "size-limit")
        #expect(result.output.isEmpty)
    }

    @Test func refusesTheMomentTheCountPassesMax() async throws {
        // 100 chunks of 100 bytes with max 250: the third chunk passes it; no fourth is pulled.
        let chain = try Chain.from("- size-limit: { max: 250 }")
        let source = Chunks((0..<100).map { _ in ByteBuffer(repeating: 1, count: 100) })
        let outcome = try await chain.run(Upload(), from: source, into: MemorySink(), key: "k")
        #expect(outcome.report.rejection?.code == "size_exceeded")
        #expect(source.pulled == 3)
        #expect(outcome.report.upload.bytesIn == 300)
    }

    @Test func refusesADeclaredLengthOverMaxBeforeAnyByte() async throws {
        let chain = try Chain.from("- size-limit: { max: 1KiB }")
        let source = Chunks([ByteBuffer(repeating: 1, count: 10)])
        let outcome = try await chain.run(Upload(declaredLength: 5000), from: source, into: MemorySink(), key: "k")
        #expect(outcome.report.rejection?.code == "size_exceeded")
        #expect(outcome.report.rejection?.message.contains("4.88 KiB") == true)
        #expect(source.pulled == 0)
    }

    @Test func declaredLengthDoesNotApplyAfterATransform() async throws {
        // After gzip the bytes are compressed: the client's declared length is not theirs.
        let chain = try Chain.from("""
            - magic: {}
            - gzip: {}
            - size-limit: { max: 2KiB }
            """)
        let text = [UInt8](String(repeating: "compressible text\n", count: 500).utf8)
        let result = try await chain.run(text, upload: Upload(declaredType: "text/plain", declaredLength: Int64(text.count)))
        #expect(result.rejection == nil)
        #expect(result.output.count < 2048)
    }

    @Test(arguments: Chunking.allCases)
    func minRefusesEmptyFiles(chunking: Chunking) async throws {
        let chain = try Chain.from("- size-limit: { max: 10MiB, min: 1 }")
        let result = try await chain.run([], chunking: chunking)
        #expect(result.rejection?.code == "too_small")
        #expect(result.rejection?.status == 422)
        #expect(result.rejection?.message == "the upload is empty, under the minimum of 1 B")
        #expect(try await chain.run([1], chunking: chunking).rejection == nil)
    }

    @Test func sizesWithUnits() throws {
        #expect(try ByteSize.parse("20MiB") == 20 << 20)
        #expect(try ByteSize.parse("20 MB") == 20_000_000)
        #expect(try ByteSize.parse("1.5GiB") == 3 << 29)
        #expect(try ByteSize.parse("64KiB") == 65536)
        #expect(try ByteSize.parse("1KB") == 1000)
        #expect(try ByteSize.parse("1048576") == 1_048_576)
        for bad in ["", "MiB", "-1", "12 furlongs", "1.5", "20mib", "1e6"] {
            #expect(throws: ByteSize.ParseError.self, "\(bad)") { try ByteSize.parse(bad) }
        }
        #expect(ByteSize.format(20 << 20) == "20 MiB")
        #expect(ByteSize.format(1536) == "1.5 KiB")
        #expect(ByteSize.format(999) == "999 B")
    }
}
