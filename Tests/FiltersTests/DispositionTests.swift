import Filters
import TestSupport
import Testing

@Suite struct DispositionTests {
    static let chain = """
        - magic: {}
        - disposition: {}
        """

    /// However long the name, the header stays far below the 8 KB AWS takes for a request
    /// header (a long filename once gave 12-14 KB and a 502 after the bytes had arrived).
    @Test(arguments: [String(repeating: "\"", count: 5000) + ".pdf", String(repeating: "写", count: 3000), "x." + String(repeating: "é", count: 4000)])
    func theHeaderStaysSmall(filename: String) {
        let header = ContentDisposition.header(.attachment, filename: filename)
        #expect(header.utf8.count <= 2048)
        #expect(header.hasPrefix("attachment; filename=\""))
    }

    @Test func rfc6266Header() {
        #expect(ContentDisposition.header(.attachment, filename: "report.pdf") == "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf")
        #expect(ContentDisposition.header(.inline, filename: "résumé 2024.pdf") == "inline; filename=\"resume 2024.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf")
        #expect(ContentDisposition.header(.attachment, filename: "写真.jpg") == "attachment; filename=\"__.jpg\"; filename*=UTF-8''%E5%86%99%E7%9C%9F.jpg")
        #expect(ContentDisposition.header(.attachment, filename: "say \"hi\".txt") == "attachment; filename=\"say \\\"hi\\\".txt\"; filename*=UTF-8''say%20%22hi%22.txt")
        // A backslash is a Windows path separator: only the last part is the name.
        #expect(ContentDisposition.header(.attachment, filename: "dir\\now.txt") == "attachment; filename=\"now.txt\"; filename*=UTF-8''now.txt")
        #expect(ContentDisposition.header(.attachment, filename: "../../etc/pass\u{0}wd") == "attachment; filename=\"passwd\"; filename*=UTF-8''passwd")
        #expect(ContentDisposition.header(.attachment, filename: "a;b=c%d'e.txt") == "attachment; filename=\"a;b=c%d'e.txt\"; filename*=UTF-8''a%3Bb%3Dc%25d%27e.txt")
        #expect(ContentDisposition.header(.attachment, filename: nil) == "attachment")
        #expect(ContentDisposition.header(.attachment, filename: "..") == "attachment")
    }

    @Test func defaultInlineListIsInlineOthersAttachment() async throws {
        let chain = try Chain.from(DispositionTests.chain)
        for (file, expected) in [("image.png", Disposition.inline), ("photo.jpg", .inline), ("document.pdf", .inline),
                                 ("archive.zip", .attachment), ("notes.txt", .attachment), ("data.json", .attachment)] {
            let result = try await chain.run(try Fixtures.bytes(file), upload: Upload(filename: file))
            #expect(result.upload.disposition == expected, "\(file)")
            #expect(result.upload.contentDisposition?.hasPrefix("\(expected.rawValue); filename=\"\(file)\"") == true)
        }
    }

    @Test func activeContentIsAttachmentEvenWhenListed() async throws {
        let chain = try Chain.from("""
            - magic: {}
            - disposition: { inline: [text/html, image/svg+xml, text/plain] }
            """)
        for file in ["page.html", "drawing.svg"] {
            let result = try await chain.run(try Fixtures.bytes(file), upload: Upload(filename: file))
            #expect(result.upload.disposition == .attachment, "\(file)")
        }
        #expect(try await chain.run(try Fixtures.bytes("notes.txt")).upload.disposition == .inline)
    }

    @Test func allowActiveContentLetsItBeInlineAndWarns() async throws {
        let (chain, warnings) = try Chain.withWarnings("""
            - magic: {}
            - disposition: { inline: [text/html], allowActiveContent: true }
            """)
        #expect(warnings.contains { $0.message.contains("allowActiveContent is on") && $0.line == 2 })
        let result = try await chain.run(try Fixtures.bytes("page.html"))
        #expect(result.upload.disposition == .inline)
    }

    @Test func unknownTypesAreAttachment() async throws {
        let chain = try Chain.from("""
            - magic: {}
            - disposition: { inline: ["*/*"] }
            """)
        var rng = SeededRandom(seed: 11)
        let result = try await chain.run(rng.bytes(4096))
        #expect(result.upload.sniffedType == "application/octet-stream")
        #expect(result.upload.disposition == .attachment)
    }

    @Test(arguments: Chunking.allCases)
    func chunkingIndependent(chunking: Chunking) async throws {
        let chain = try Chain.from(DispositionTests.chain)
        let bytes = try Fixtures.bytes("photo.jpg")
        let a = try await chain.run(bytes, chunking: chunking, upload: Upload(filename: "ünï.jpg"))
        let b = try await chain.run(bytes, chunking: .whole, upload: Upload(filename: "ünï.jpg"))
        #expect(a == b)
    }
}
