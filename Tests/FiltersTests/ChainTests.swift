import Filters
import NIOCore
import TestSupport
import Testing

@Suite struct ChainTests {
    /// Every filter, alone and together: one chunk, 1-byte chunks and random chunks give the
    /// same verdict, bytes, headers and digests.
    @Test(arguments: [
        "- size-limit: { max: 1MiB, min: 1 }",
        "- size-limit: { max: 1000 }",
        "- magic: {}",
        "- magic: { allow: [image/*] }",
        "- magic: { sniffBytes: 100 }",
        "- magic: {}\n- disposition: {}",
        "- hash: { algorithms: [sha256, sha1, md5, crc32, crc32c] }",
        "- magic: {}\n- gzip: { types: [\"*/*\"] }",
        "- size-limit: { max: 10MiB }\n- magic: {}\n- disposition: {}\n- hash: { algorithms: [sha256] }\n- gzip: { types: [\"*/*\"] }\n- hash: { algorithms: [md5] }",
    ])
    func chunkingDoesNotChangeResults(steps: String) async throws {
        let chain = try Chain.from(steps)
        var rng = SeededRandom(seed: 99)
        for bytes in [try Fixtures.bytes("photo.jpg") + rng.bytes(20_000), try Fixtures.bytes("notes.txt"), try Fixtures.bytes("page.html"), []] {
            let (whole, all) = try await chain.runAllChunkings(bytes, upload: Upload(declaredType: "application/octet-stream", filename: "f"))
            for (chunking, result) in all {
                #expect(result == whole, "\(chunking) differs for \(steps)")
            }
        }
    }

    @Test func headIsFinalBeforeTheFirstByte() async throws {
        let chain = try Chain.from("""
            - magic: {}
            - disposition: {}
            - gzip: {}
            """)
        let bytes = try Fixtures.bytes("notes.txt")
        var output = try ChainOutput(chain: chain, upload: Upload(declaredType: "text/plain", filename: "notes.txt"), source: Chunks(Chunking.single.split(bytes)))
        #expect(output.head == nil)
        _ = try #require(try await output.next())
        let head = try #require(output.head)
        #expect(head.contentType == "text/plain; charset=utf-8")
        #expect(head.contentEncoding == "gzip")
        #expect(head.contentDisposition == "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt")
        while try await output.next() != nil {}
        #expect(output.head == head)
        #expect(output.upload.bytesIn == Int64(bytes.count))
    }

    @Test func rejectionMidStreamStopsPullingAndStoresNothing() async throws {
        let chain = try Chain.from("""
            - hash: { algorithms: [sha256] }
            - size-limit: { max: 5000 }
            """)
        let source = Chunks((0..<50).map { _ in ByteBuffer(repeating: 9, count: 1000) })
        let sink = MemorySink()
        let outcome = try await chain.run(Upload(), from: source, into: sink, key: "k")
        #expect(outcome.report.rejection == Rejection(filter: "size-limit", code: "size_exceeded", status: 413, message: "the upload is larger than the limit of 4.88 KiB"))
        #expect(source.pulled == 6)
        #expect(outcome.stored == nil)
        #expect(sink.keys.isEmpty)
        #expect(outcome.report.upload.digests.isEmpty)
    }

    @Test func filtersRunInConfiguredOrder() async throws {
        var registry = FilterRegistry.standard
        let log = EventLog()
        for name in ["first", "second", "third"] {
            registry.register(FilterDefinition(name: name, summary: "logs") { _ in
                FilterStep(name: name) { Recorder(name: name, log: log) }
            })
        }
        let chain = try Chain.from("- third\n- first\n- second", registry: registry)
        _ = try await chain.run([1, 2, 3])
        #expect(log.events == ["begin third", "begin first", "begin second", "write third", "write first", "write second",
                               "finish third", "finish first", "finish second"])
    }

    @Test func aFilterThatChangesHeadersAfterTheFirstByteIsCaught() async throws {
        var registry = FilterRegistry.standard
        registry.register(FilterDefinition(name: "late-type", summary: "breaks the contract") { _ in
            FilterStep(name: "late-type") { LateType() }
        })
        let chain = try Chain.from("- late-type", registry: registry)
        await #expect(throws: FilterFailure.self) {
            _ = try await chain.run([1, 2, 3], chunking: .single)
        }
    }

    @Test func orderThatCannotWorkIsRefused() {
        #expect {
            _ = try Chain.from("""
                - disposition: {}
                - magic: {}
                """)
        } throws: { error in
            (error as? ConfigError)?.message == "`disposition` decides from the Content-Type, which `magic` sets later in the chain: put `magic` before `disposition`"
        }
        #expect(throws: ConfigError.self) {
            _ = try Chain.from("- hash: { algorithms: [sha256] }\n- hash: { algorithms: [md5, sha256] }")
        }
    }

    @Test func withoutMagicTheClaimIsStoredAndConfigWarns() async throws {
        let (chain, warnings) = try Chain.withWarnings("- size-limit: { max: 1MiB }\n")
        #expect(warnings.map(\.message) == ["no `magic` step: the client's declared Content-Type is stored unchecked"])
        let result = try await chain.run([1, 2], upload: Upload(declaredType: "Image/PNG; x=y"))
        #expect(result.upload.contentType == "image/png")
        let none = try await chain.run([1, 2], upload: Upload(declaredType: nil))
        #expect(none.upload.contentType == "application/octet-stream")
    }
}

final class EventLog: @unchecked Sendable {
    var events: [String] = []
}

struct Recorder: Filter {
    let name: String
    let log: EventLog
    mutating func begin(_ upload: inout Upload) throws { log.events.append("begin \(name)") }
    mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        log.events.append("write \(name)")
        return chunk
    }
    mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        log.events.append("finish \(name)")
        return nil
    }
}

/// Sets the Content-Type on its second byte: too late.
struct LateType: Filter {
    var seen = 0
    mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        seen += chunk.readableBytes
        if seen >= 2 { upload.contentType = "text/html" }
        return chunk
    }
}
