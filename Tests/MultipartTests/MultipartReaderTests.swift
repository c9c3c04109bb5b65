@testable import Multipart
import NIOCore
import TestSupport
import Testing

/// A part as read back: its head and its whole body.
struct ReadPart: Equatable {
    var part: MultipartPart
    var body: [UInt8]
}

func readAll(_ bytes: [UInt8], boundary: String, chunks: [ByteBuffer]? = nil) async throws -> [ReadPart] {
    let source = Chunks(chunks ?? [ByteBuffer(bytes: bytes)]).makeAsyncIterator()
    let reader = MultipartReader(boundary: boundary, source: source)
    var parts: [ReadPart] = []
    while let part = try await reader.nextPart() {
        var body: [UInt8] = []
        while let chunk = try await reader.nextChunk() { body += chunk.readableBytesView }
        parts.append(ReadPart(part: part, body: body))
    }
    return parts
}

func split(_ bytes: [UInt8], at cuts: [Int]) -> [ByteBuffer] {
    var chunks: [ByteBuffer] = []
    var start = 0
    for cut in cuts + [bytes.count] where cut >= start {
        chunks.append(ByteBuffer(bytes: bytes[start..<cut]))
        start = cut
    }
    return chunks
}

@Suite struct MultipartReaderTests {
    static let form = FormBody(parts: [
        .init(name: "title", body: Array("Holiday".utf8)),
        .init(name: "file", filename: "a.txt", contentType: "text/plain", body: Array("line one\r\nline two\r\n--not a boundary\r\n-".utf8)),
        .init(name: "empty", filename: "e.bin", contentType: "application/octet-stream", body: []),
    ])

    static let expected: [(String, String?, [UInt8])] = form.parts.map { ($0.name, $0.filename, $0.body) }

    func check(_ parts: [ReadPart], _ note: Comment? = nil) {
        #expect(parts.map(\.part.name) == MultipartReaderTests.expected.map(\.0), note)
        #expect(parts.map(\.part.filename) == MultipartReaderTests.expected.map(\.1), note)
        #expect(parts.map(\.body) == MultipartReaderTests.expected.map(\.2), note)
    }

    @Test func readsFieldsAndFiles() async throws {
        let form = MultipartReaderTests.form
        let parts = try await readAll(form.bytes, boundary: form.boundary)
        check(parts)
        #expect(parts[1].part.contentType == "text/plain")
        #expect(parts[1].part.isFile && !parts[0].part.isFile)
        #expect(parts[0].part.contentType == nil)
    }

    @Test func everySplitInTwo() async throws {
        let form = MultipartReaderTests.form, bytes = form.bytes
        for cut in 0...bytes.count {
            check(try await readAll(bytes, boundary: form.boundary, chunks: split(bytes, at: [cut])), "cut at \(cut)")
        }
    }

    @Test func everySplitInThree() async throws {
        let form = MultipartReaderTests.form, bytes = form.bytes
        for first in 0...bytes.count {
            for second in first...bytes.count {
                let parts = try await readAll(bytes, boundary: form.boundary, chunks: split(bytes, at: [first, second]))
                if parts.map(\.body) != MultipartReaderTests.expected.map(\.2) {
                    Issue.record("cuts at \(first), \(second)")
                    return
                }
            }
        }
    }

    /// Reads larger than what the reader copies behind a leftover (`appendStep`): a head, a
    /// delimiter or a preamble cut anywhere must still come out whole, with the rest of the
    /// read kept for the body. One head is longer than the step, so it takes several.
    @Test func splitsInsideLargeReads() async throws {
        var rng = SeededRandom(seed: 7)
        let step = MultipartScanner.appendStep
        let form = FormBody(parts: [
            .init(name: "a", filename: "a.bin", body: rng.bytes(3 * step)),
            .init(name: "b", filename: "b.bin", contentType: "text/plain", body: rng.bytes(2 * step),
                  extraHeaders: ["X-Long: " + String(repeating: "x", count: step + 100)]),
            .init(name: "c", body: Array("last".utf8)),
        ])
        let preamble = Array(String(repeating: "p", count: step + 10).utf8) + Array("\r\n".utf8)
        let bytes = preamble + form.bytes
        let expected = form.parts.map { ReadPart(part: MultipartPart(name: $0.name, filename: $0.filename, contentType: $0.contentType), body: $0.body) }
        // Cut around the preamble's end and each part's head, where a leftover meets a large read.
        let needle = Array("--\(form.boundary)".utf8)
        var heads: [Int] = []
        for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) { heads.append(i) }
        #expect(heads.count == 4)  // three heads (the first ends the preamble) and the closing one
        for head in heads {
            for cut in Swift.max(0, head - 4)...Swift.min(bytes.count, head + step + 400) {
                let parts = try await readAll(bytes, boundary: form.boundary, chunks: split(bytes, at: [cut]))
                guard parts.map(\.body) == expected.map(\.body), parts.map(\.part.name) == ["a", "b", "c"],
                      parts.map(\.part.filename) == expected.map(\.part.filename),
                      parts.map(\.part.contentType) == expected.map(\.part.contentType) else {
                    Issue.record("cut at \(cut)")
                    return
                }
            }
        }
    }

    @Test func oneByteChunks() async throws {
        let form = MultipartReaderTests.form
        check(try await readAll(form.bytes, boundary: form.boundary, chunks: Chunking.single.split(form.bytes)))
    }

    @Test func largeRandomFileInRandomChunks() async throws {
        var rng = SeededRandom(seed: 1)
        // Content full of CRs, CRLFs and dashes, the boundary's raw material.
        var content = rng.bytes(3 << 20)
        for i in stride(from: 0, to: content.count - 40, by: 997) {
            content.replaceSubrange(i..<(i + 14), with: Array("\r\n--SluiceTest".utf8))
        }
        let form = FormBody(parts: [.init(name: "f", filename: "big.bin", body: content), .init(name: "g", body: Array("after".utf8))])
        for seed in 1...3 as ClosedRange<UInt64> {
            let parts = try await readAll(form.bytes, boundary: form.boundary, chunks: Chunking.random.split(form.bytes, seed: seed))
            #expect(parts.count == 2)
            #expect(parts.first?.body == content)
            #expect(parts.last?.body == Array("after".utf8))
        }
    }

    @Test func preambleEpilogueAndPadding() async throws {
        let b = "XyZ"
        let body = Array("This is the preamble.\r\n--XyZ  \t\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--XyZ\r\ncontent-disposition: FORM-DATA; NAME=\"b\"\r\n\r\n\r\n--XyZ--\r\nepilogue, ignored".utf8)
        let parts = try await readAll(body, boundary: b)
        #expect(parts.map(\.part.name) == ["a", "b"])
        #expect(parts.map(\.body) == [Array("A".utf8), []])
    }

    @Test func unreadBodiesAreSkipped() async throws {
        let form = MultipartReaderTests.form
        let reader = MultipartReader(boundary: form.boundary, source: Chunks(Chunking.random.split(form.bytes)).makeAsyncIterator())
        var names: [String] = []
        while let part = try await reader.nextPart() { names.append(part.name) }
        #expect(names == ["title", "file", "empty"])
    }

    @Test(arguments: [
        ("naïve 写真.png", "naïve 写真.png"),
        ("say %22hi%22.txt", "say \"hi\".txt"),
        ("%E5%86%99%E7%9C%9F.jpg", "写真.jpg"),
        ("100%.txt", "100%.txt"),
        ("%41.txt", "%41.txt"),
        ("C:\\Users\\me\\cv.pdf", "C:\\Users\\me\\cv.pdf"),
        ("a\\\"b.txt", "a\"b.txt"),
    ])
    func filenames(raw: String, expected: String) async throws {
        let form = FormBody(parts: [.init(name: "f", filename: raw, body: [1])])
        let parts = try await readAll(form.bytes, boundary: form.boundary)
        #expect(parts.first?.part.filename == expected)
    }

    @Test func extendedFilenameWins() async throws {
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"fallback.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt\r\n\r\nx\r\n--b--".utf8)
        #expect(try await readAll(body, boundary: "b").first?.part.filename == "résumé.txt")
    }

    @Test func headersAreReadAsBytes() async throws {
        // Folded lines, odd case, repeated parameters (the first wins), escapes, extra headers.
        let head = "--b\r\nCONTENT-DISPOSITION: Form-Data;\r\n  NAME=\"first\"; name=\"second\";\r\n\tFileName=\"a \\\"q\\\" b.txt\"  \r\n"
            + "Content-Type:   text/plain; charset=utf-8  \r\nX-Extra: 1\r\n\r\nbody\r\n--b--"
        let part = try #require(try await readAll(Array(head.utf8), boundary: "b").first?.part)
        #expect(part.name == "first")
        #expect(part.filename == "a \"q\" b.txt")
        #expect(part.contentType == "text/plain; charset=utf-8")
        #expect(part.headers.map(\.name) == ["content-disposition", "content-type", "x-extra"])
        #expect(part.headers.first?.value == "Form-Data; NAME=\"first\"; name=\"second\"; FileName=\"a \\\"q\\\" b.txt\"")
    }

    /// The browsers' head is read by a shortcut (`browserHead`); it must read exactly what the
    /// field-by-field parser reads, and leave every other head to it.
    @Test(arguments: [
        ("Content-Disposition: form-data; name=\"title\"", true),
        ("Content-Disposition: form-data; name=\"a b\"", true),
        ("Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain", true),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"photo 1.jpg\"\r\nContent-Type: image/jpeg", true),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\nContent-Type: application/octet-stream", true),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"", true),
        ("content-disposition: form-data; name=\"a\"", false),
        ("Content-Disposition: form-data; name=a", false),
        ("Content-Disposition: form-data; name=\"a\\\"b\"", false),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"\"\r\nContent-Type: application/octet-stream", false),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"a%22b.txt\"", false),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"caf\u{E9}.txt\"", false),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"; size=3", false),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain; charset=utf-8", false),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\nX-Extra: 1", false),
        ("Content-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type:  text/plain", false),
        ("Content-Disposition: form-data; name=\"f\"\r\n Content-Type: text/plain", false),
    ])
    func browserHeadsReadAsByField(head: String, shortcut: Bool) throws {
        let bytes = ByteBuffer(string: head)
        let general = try MultipartPart.parse(bytes)
        // As it arrives: the empty line, then the body.
        let located = ByteBuffer(string: head + "\r\n\r\nbody").withUnsafeReadableBytes { MultipartPart.browserHead(in: $0) }
        #expect((located != nil) == shortcut)
        if let located {
            #expect(located.length == bytes.readableBytes)
            #expect(MultipartPart(head: bytes, values: located.values) == general)
        }
    }

    /// Every byte value inside a quoted name and inside a Content-Type: the shortcut takes only
    /// the printable ASCII it may take as it is, and reads those heads as the field parser does.
    @Test func browserHeadsByteByByte() throws {
        for byte in UInt8.min...UInt8.max {
            let quotedPlain = byte >= 0x20 && byte < 0x7F && ![0x22, 0x25, 0x5C].contains(byte)
            let typePlain = byte > 0x20 && byte < 0x7F
            for (prefix, suffix, plain) in [
                (Array("Content-Disposition: form-data; name=\"a".utf8), Array("b\"".utf8), quotedPlain),
                (Array("Content-Disposition: form-data; name=\"f\"; filename=\"x\"\r\nContent-Type: a".utf8), Array("b".utf8), typePlain),
            ] {
                let block = prefix + [byte] + suffix
                let located = ByteBuffer(bytes: block + Array("\r\n\r\nbody".utf8)).withUnsafeReadableBytes { MultipartPart.browserHead(in: $0) }
                #expect((located != nil) == plain, "byte \(byte)")
                if let located, let general = try? MultipartPart.parse(ByteBuffer(bytes: block)) {
                    #expect(MultipartPart(head: ByteBuffer(bytes: block), values: located.values) == general, "byte \(byte)")
                }
            }
        }
    }

    /// The eight-bytes-at-a-time search finds what a byte-by-byte one finds: every byte value at
    /// every place in a word, and words holding several stop bytes (a stop's borrow or carry
    /// may flag the bytes above it, so only the lowest flag may be taken).
    @Test func valueScanMatchesBytewise() {
        func check(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { buffer in
                for quoted in [true, false] {
                    let isStop = quoted ? ValueScan.isQuotedStop : ValueScan.isUnquotedStop
                    for start in 0...bytes.count {
                        let expected = bytes[start...].firstIndex(where: isStop) ?? bytes.count
                        #expect(ValueScan.firstStop(in: buffer.baseAddress!, from: start, to: bytes.count, quoted: quoted) == expected, "\(bytes) from \(start)")
                    }
                }
            }
        }
        let plain = Array("abcdefghijklmnopqrstuvw".utf8)
        for byte in UInt8.min...UInt8.max {
            for place in plain.indices {
                var bytes = plain
                bytes[place] = byte
                check(bytes)
            }
        }
        // A fixed pseudo-random sequence of words made of the bytes at each test's edges.
        let edges: [UInt8] = [0x00, 0x01, 0x0D, 0x1F, 0x20, 0x21, 0x22, 0x25, 0x5C, 0x7E, 0x7F, 0x80, 0xFE, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<3_000 {
            var bytes = plain
            for _ in 0..<3 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes[Int(state >> 33) % bytes.count] = edges[Int(state >> 13) % edges.count]
            }
            check(bytes)
        }
    }

    @Test func latin1HeadersAndHeaderCount() async throws {
        // A client that sends Latin-1: é as one byte 0xE9, which is not UTF-8.
        var latin1 = Array("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"caf".utf8)
        latin1 += [0xE9] + Array(".txt\"\r\n\r\nx\r\n--b--".utf8)
        #expect(try await readAll(latin1, boundary: "b").first?.part.filename == "café.txt")

        let many = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n" + (1...32).map { "X-\($0): v\r\n" }.joined() + "\r\nx\r\n--b--"
        await #expect { _ = try await readAll(Array(many.utf8), boundary: "b") } throws: { error in
            (error as? MultipartError)?.message.contains("more than 32 headers") == true
        }
    }

    @Test func boundaryFromContentType() throws {
        #expect(try MultipartBoundary.parse(contentType: "multipart/form-data; boundary=----WebKitFormBoundaryA1b2") == "----WebKitFormBoundaryA1b2")
        #expect(try MultipartBoundary.parse(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"quoted boundary\"") == "quoted boundary")
        let every = "09azAZ'()+_,-./:=? x"
        #expect(try MultipartBoundary.parse(contentType: "multipart/form-data; boundary=\"\(every)\"") == every)
        let longest = String(repeating: "b", count: 70)
        #expect(try MultipartBoundary.parse(contentType: "multipart/form-data; boundary=" + longest) == longest)
        for bad in [nil, "text/plain", "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=x",
                    "multipart/form-data; boundary=" + String(repeating: "a", count: 71), "multipart/form-data; boundary=a{b}",
                    "multipart/form-data; boundary=caf\u{e9}", "multipart/form-data; boundary=\"ends in space \"",
                    "multipart/form-data; boundary=a\tb"] as [String?] {
            #expect(throws: MultipartError.self, "\(bad ?? "nil")") { try MultipartBoundary.parse(contentType: bad) }
        }
    }

    /// Each of these must be a MultipartError with a message saying what is wrong.
    @Test(arguments: [
        ("", "does not contain the boundary"),
        ("no boundary anywhere in this body", "does not contain the boundary"),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ntruncated", "ends inside part \"a\""),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--b", "without the closing --"),
        ("--b\r\nContent-Disposition: form-data; name=\"a\"", "ends inside a part's headers"),
        ("--b\r\nContent-Disposition form-data\r\n\r\nx\r\n--b--", "broken header line"),
        ("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "no Content-Disposition"),
        ("--b\r\nContent-Disposition: form-data; filename=\"a.txt\"\r\n\r\nx\r\n--b--", "has no name"),
        ("--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--", "not form-data"),
        ("--bXYZ\r\n", "not followed by CRLF"),
        ("--b\r\n\r\nx\r\n--b--", "no Content-Disposition"),
        ("--b\r\n X-Folded: at the start\r\n\r\nx\r\n--b--", "continuation line"),
    ])
    func malformedBodies(body: String, message: String) async {
        await #expect {
            _ = try await readAll(Array(body.utf8), boundary: "b")
        } throws: { error in
            (error as? MultipartError)?.message.contains(message) == true
        }
    }

    @Test func oversizedHeadersAndPreamble() async {
        let headers = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Long: " + String(repeating: "h", count: 17_000) + "\r\n\r\nx\r\n--b--"
        await #expect { _ = try await readAll(Array(headers.utf8), boundary: "b") } throws: { error in
            (error as? MultipartError)?.message.contains("headers are longer than 16 KiB") == true
        }
        let preamble = String(repeating: "p", count: 70_000) + "\r\n--b\r\n"
        await #expect { _ = try await readAll(Array(preamble.utf8), boundary: "b") } throws: { error in
            (error as? MultipartError)?.message.contains("not in the first 64 KiB") == true
        }
    }
}
