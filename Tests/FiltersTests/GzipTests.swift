import Filters
import TestSupport
import Testing

@Suite struct GzipTests {
    static let chain = """
        - magic: {}
        - gzip: {}
        """

    @Test(arguments: Chunking.allCases)
    func compressesTextIntoValidGzip(chunking: Chunking) async throws {
        let text = try Fixtures.bytes("notes.txt") + Array(String(repeating: "more text to squeeze\n", count: 3000).utf8)
        let chain = try Chain.from(GzipTests.chain)
        let result = try await chain.run(text, chunking: chunking, upload: Upload(declaredType: "text/plain"))
        #expect(result.rejection == nil)
        #expect(result.upload.contentEncoding == "gzip")
        #expect(result.output.count < text.count / 10)
        #expect(Array(result.output.prefix(2)) == [0x1F, 0x8B])
        #expect(try gunzip(result.output) == text)
        // The same bytes however the input was cut.
        #expect(result == (try await chain.run(text, chunking: .whole, upload: Upload(declaredType: "text/plain"))))
    }

    @Test func otherTypesPassThroughUntouched() async throws {
        let chain = try Chain.from(GzipTests.chain)
        let png = try Fixtures.bytes("image.png")
        let result = try await chain.run(png, upload: Upload(declaredType: "image/png"))
        #expect(result.upload.contentEncoding == nil)
        #expect(result.output == png)
    }

    @Test(arguments: [1, 9])
    func levels(level: Int) async throws {
        var rng = SeededRandom(seed: UInt64(level))
        // Random bytes as JSON-ish text: compressible, but not trivially.
        let text = [UInt8](rng.bytes(300_000).map { UInt8(ascii: "a") + $0 % 20 })
        let chain = try Chain.from("""
            - magic: {}
            - gzip: { level: \(level), types: ["*/*"] }
            """)
        let result = try await chain.run(text, chunking: .random, upload: Upload(declaredType: "text/plain"))
        #expect(try gunzip(result.output) == text)
    }

    @Test func emptyUploadIsAValidEmptyGzip() async throws {
        // libmagic calls an empty file application/x-empty: only "*/*" compresses it.
        let skipped = try await Chain.from(GzipTests.chain).run([], upload: Upload(declaredType: "text/plain"))
        #expect(skipped.upload.contentEncoding == nil)
        #expect(skipped.output.isEmpty)
        let chain = try Chain.from("- magic: {}\n- gzip: { types: [\"*/*\"] }")
        let result = try await chain.run([], upload: Upload(declaredType: "text/plain"))
        #expect(result.upload.contentEncoding == "gzip")
        #expect(try gunzip(result.output) == [])
    }

    @Test func magicAfterGzipIsAConfigError() throws {
        #expect {
            _ = try Chain.from("""
                - gzip: {}
                - magic: {}
                """)
        } throws: { error in
            let error = try #require(error as? ConfigError)
            return error.line == 2 && error.key == "test[1]" && error.message.contains("comes after `gzip`")
        }
    }
}
