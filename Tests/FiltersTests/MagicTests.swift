import Filters
import NIOCore
import TestSupport
import Testing

@Suite struct MagicTests {
    static let permissive = "- magic: {}"

    /// Each real file, declared as a browser would declare it, is sniffed as what it is.
    @Test(arguments: [
        ("image.png", "image/png"), ("photo.jpg", "image/jpeg"), ("anim.gif", "image/gif"),
        ("image.webp", "image/webp"), ("document.pdf", "application/pdf"), ("archive.zip", "application/zip"),
        ("archive.txt.gz", "application/gzip"), ("page.html", "text/html"), ("drawing.svg", "image/svg+xml"),
        ("notes.txt", "text/plain"), ("data.json", "application/json"), ("table.csv", "text/csv"),
        ("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("unicode.txt", "text/csv"),
    ])
    func sniffsRealFiles(name: String, sniffed: String) async throws {
        let chain = try Chain.from(MagicTests.permissive)
        let bytes = try Fixtures.bytes(name)
        let (result, all) = try await chain.runAllChunkings(bytes, upload: Upload(declaredType: MediaType.forFilename(name), filename: name))
        #expect(Set(all.values.map(\.upload.sniffedType)).count == 1, "chunking changed the verdict")
        #expect(result.rejection == nil, "\(result.rejection?.description ?? "")")
        #expect(result.upload.sniffedType == sniffed)
        #expect(result.output == bytes)
    }

    /// libmagic names no one-byte file; one printable byte is text, as two already are
    /// (found by the soak: a one-byte text/plain upload was refused as a mismatch).
    @Test(arguments: [("a", "text/plain", "text/plain"), ("\n", "text/plain", "text/plain"), ("ab", "text/plain", "text/plain"), ("\u{01}", "application/octet-stream", "application/octet-stream")])
    func oneByteFiles(content: String, declared: String, sniffed: String) async throws {
        let chain = try Chain.from(MagicTests.permissive)
        let result = try await chain.run(Array(content.utf8), upload: Upload(declaredType: declared, filename: "one"))
        #expect(result.rejection == nil, "\(result.rejection?.description ?? "")")
        #expect(result.upload.sniffedType == sniffed)
        let spoof = try await chain.run(Array(content.utf8), upload: Upload(declaredType: "image/png", filename: "one.png"))
        #expect(spoof.rejection?.code == "type_mismatch")
    }

    @Test func elfFromTheSystem() async throws {
        let chain = try Chain.from(MagicTests.permissive)
        let result = try await chain.run(try Fixtures.elf(), upload: Upload(declaredType: "application/octet-stream", filename: "true"))
        #expect(result.rejection == nil)
        #expect(MediaType.canonical(result.upload.sniffedType ?? "") == "application/x-executable")
    }

    @Test func storedTypeIsTheSniffedOneWithCharsetForText() async throws {
        let chain = try Chain.from(MagicTests.permissive)
        let png = try await chain.run(try Fixtures.bytes("image.png"), upload: Upload(declaredType: "image/png"))
        #expect(png.upload.contentType == "image/png")
        // ASCII text is announced as UTF-8 (a later part may be UTF-8).
        let text = try await chain.run(try Fixtures.bytes("notes.txt"), upload: Upload(declaredType: "text/plain; charset=iso-8859-1"))
        #expect(text.upload.contentType == "text/plain; charset=utf-8")
        // An absent claim stores the sniffed type too.
        let jpeg = try await chain.run(try Fixtures.bytes("photo.jpg"), upload: Upload(declaredType: nil))
        #expect(jpeg.upload.contentType == "image/jpeg")
    }

    @Test(arguments: [
        ("page.html", "image/png"), ("drawing.svg", "image/png"), ("page.html", "text/plain"),
        ("drawing.svg", "image/jpeg"), ("photo.jpg", "image/png"), ("notes.txt", "application/pdf"),
    ])
    func spoofsAreMismatches(file: String, claim: String) async throws {
        let chain = try Chain.from(MagicTests.permissive)
        let result = try await chain.run(try Fixtures.bytes(file), upload: Upload(declaredType: claim, filename: file))
        #expect(result.rejection?.code == "type_mismatch")
        #expect(result.rejection?.status == 415)
        #expect(result.rejection?.filter == "magic")
        #expect(result.output.isEmpty)
    }

    @Test func elfDeclaredAsPDF() async throws {
        let chain = try Chain.from(MagicTests.permissive)
        let result = try await chain.run(try Fixtures.elf(), upload: Upload(declaredType: "application/pdf", filename: "invoice.pdf"))
        #expect(result.rejection?.code == "type_mismatch")
        #expect(result.rejection?.message.hasPrefix("declared as application/pdf, but the content is application/x-") == true)
    }

    @Test func allowListRefusesOtherTypes() async throws {
        let chain = try Chain.from("- magic: { allow: [image/*] }")
        let html = try await chain.run(try Fixtures.bytes("page.html"), upload: Upload(declaredType: "image/png"))
        #expect(html.rejection?.code == "type_not_allowed")
        #expect(html.rejection?.message == "text/html is not allowed here (allowed: image/*)")
        let gif = try await chain.run(try Fixtures.bytes("anim.gif"), upload: Upload(declaredType: "image/gif"))
        #expect(gif.rejection == nil)
    }

    @Test func denyComesBeforeAllow() async throws {
        let chain = try Chain.from("- magic: { allow: [\"*/*\"], deny: [image/svg+xml, text/html] }")
        let svg = try await chain.run(try Fixtures.bytes("drawing.svg"), upload: Upload(declaredType: "image/svg+xml"))
        #expect(svg.rejection?.code == "type_not_allowed")
        let png = try await chain.run(try Fixtures.bytes("image.png"), upload: Upload(declaredType: "image/png"))
        #expect(png.rejection == nil)
    }

    @Test func useSniffedAcceptsAMismatchWithTheSniffedType() async throws {
        let chain = try Chain.from("- magic: { mismatch: use-sniffed }")
        let result = try await chain.run(try Fixtures.bytes("photo.jpg"), upload: Upload(declaredType: "image/png"))
        #expect(result.rejection == nil)
        #expect(result.upload.contentType == "image/jpeg")
    }

    @Test func emptyFile() async throws {
        let images = try Chain.from("- magic: { allow: [image/*] }")
        let refused = try await images.run([], upload: Upload(declaredType: "image/png", filename: "x.png"))
        #expect(refused.rejection?.code == "type_not_allowed")
        #expect(refused.rejection?.message == "an empty file is not allowed here (allowed: image/*)")
        let permissive = try Chain.from(MagicTests.permissive)
        let claimedPNG = try await permissive.run([], upload: Upload(declaredType: "image/png"))
        #expect(claimedPNG.rejection?.code == "type_mismatch")
        #expect(claimedPNG.rejection?.message == "declared as image/png, but the file is empty")
        let text = try await permissive.run([], upload: Upload(declaredType: "text/plain"))
        #expect(text.rejection == nil)
        #expect(text.upload.sniffedType == "application/x-empty")
    }

    @Test func extensionsEnforced() async throws {
        let chain = try Chain.from("- magic: { extensions: enforce }")
        let png = try Fixtures.bytes("image.png")
        let named = try await chain.run(png, upload: Upload(declaredType: "application/octet-stream", filename: "picture.txt"))
        #expect(named.rejection?.code == "extension_mismatch")
        #expect(named.rejection?.message == "the extension .txt (text/plain) does not fit: the content is image/png")
        let right = try await chain.run(png, upload: Upload(declaredType: "application/octet-stream", filename: "picture.PNG"))
        #expect(right.rejection == nil)
        let none = try await chain.run(png, upload: Upload(declaredType: "image/png", filename: "picture"))
        #expect(none.rejection?.code == "extension_mismatch")
        let jpeg = try await chain.run(try Fixtures.bytes("photo.jpg"), upload: Upload(declaredType: "image/jpeg", filename: "photo.jpeg"))
        #expect(jpeg.rejection == nil)
        let docx = try await chain.run(try Fixtures.bytes("report.docx"), upload: Upload(filename: "report.docx"))
        #expect(docx.rejection == nil)
        // Ignored by default.
        let lax = try Chain.from(MagicTests.permissive)
        #expect(try await lax.run(png, upload: Upload(filename: "picture.txt")).rejection == nil)
    }

    @Test func holdsBackOnlyTheWindowThenStreams() async throws {
        // With a 1 KiB window, nothing reaches the sink before 1 KiB arrived, and after the
        // decision each chunk passes through on its own.
        let chain = try Chain.from("- magic: { sniffBytes: 1KiB }")
        var rng = SeededRandom(seed: 3)
        let bytes = try Fixtures.bytes("image.png") + rng.bytes(5000)
        let chunks = stride(from: 0, to: bytes.count, by: 100).map { ByteBuffer(bytes: bytes[$0..<Swift.min($0 + 100, bytes.count)]) }
        var output = try ChainOutput(chain: chain, upload: Upload(declaredType: "image/png"), source: Chunks(chunks))
        let first = try #require(try await output.next())
        #expect(first.readableBytes == 1100)
        #expect(output.head?.contentType == "image/png")
        let second = try #require(try await output.next())
        #expect(second.readableBytes == 100)
    }

    @Test func sniffWindowLimitsWhatLibmagicSees() async throws {
        // A PNG signature after 100 bytes of zeros: outside a 64-byte window the file is data.
        let chain = try Chain.from("- magic: { sniffBytes: 64 }")
        let bytes = [UInt8](repeating: 0, count: 100) + (try Fixtures.bytes("image.png"))
        let result = try await chain.run(bytes, chunking: .single)
        #expect(result.upload.sniffedType != "image/png")
        #expect(result.output == bytes)
    }
}
