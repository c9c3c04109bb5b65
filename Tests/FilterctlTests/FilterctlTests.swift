import Checksums
import Filters
import Foundation
import TestSupport
import Testing

/// filterctl as users run it: the built binary, exit codes, reports and JSON.
@Suite struct FilterctlTests {
    static let binary: String = {
        // `swift test` builds every product next to the test bundle.
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("filterctl").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/filterctl").path
    }()

    /// A scratch directory with copies of fixtures.
    struct Scratch {
        let directory: ScratchDirectory
        var path: String { directory.path }
        init(_ fixtures: [String] = []) throws {
            directory = try ScratchDirectory("filterctl")
            for name in fixtures { try FileManager.default.copyItem(atPath: Fixtures.path(name), toPath: self.path + "/" + name) }
        }
        func write(_ name: String, _ text: String) throws { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        func file(_ name: String) -> String { path + "/" + name }
    }

    func filterctl(_ arguments: [String], in scratch: Scratch) throws -> ProcessResult {
        try runProcess(FilterctlTests.binary, arguments, directory: scratch.path)
    }

    func jsonLines(_ result: ProcessResult) throws -> [[String: Any]] {
        try result.text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func sampleBinWorksWithNoFlags() throws {
        let scratch = try Scratch()
        var rng = SeededRandom(seed: 5)
        try Data(rng.bytes(10_000)).write(to: URL(fileURLWithPath: scratch.file("sample.bin")))
        let result = try filterctl(["test", "sample.bin"], in: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.hasPrefix("ACCEPT  sample.bin  (chain default)"))
        #expect(result.text.contains("declared type  application/octet-stream"))
        #expect(result.text.contains("disposition    attachment; filename=\"sample.bin\""))
        #expect(result.text.contains("bytes          10000 in, 10000 out"))
    }

    @Test func jsonReportHasTheDocumentedKeys() throws {
        let scratch = try Scratch(["image.png", "page.html"])
        try FileManager.default.copyItem(atPath: scratch.file("page.html"), toPath: scratch.file("evil.png"))
        let result = try filterctl(["test", "--json", "image.png", "evil.png"], in: scratch)
        #expect(result.status == 1)
        let lines = try jsonLines(result)
        #expect(lines.count == 2)
        let keys: Set<String> = ["file", "chain", "accepted", "rejection", "declaredType", "sniffedType", "contentType", "disposition",
                                 "contentDisposition", "contentEncoding", "bytesIn", "bytesOut", "digests"]
        #expect(Set(lines[0].keys) == keys)
        #expect(lines[0]["accepted"] as? Bool == true)
        #expect(lines[0]["rejection"] is NSNull)
        #expect(lines[0]["contentType"] as? String == "image/png")
        #expect(lines[0]["disposition"] as? String == "inline")
        #expect(lines[0]["contentEncoding"] is NSNull)
        let digest = DigestAlgorithm.sha256.digest(try Fixtures.bytes("image.png")).hex
        #expect((lines[0]["digests"] as? [String: String])?["sha256"] == digest)
        #expect(lines[1]["accepted"] as? Bool == false)
        let rejection = try #require(lines[1]["rejection"] as? [String: Any])
        #expect(rejection["filter"] as? String == "magic")
        #expect(rejection["code"] as? String == "type_mismatch")
        #expect(rejection["status"] as? Int == 415)
        #expect(lines[1]["sniffedType"] as? String == "text/html")
    }

    @Test func exitCodes() throws {
        let scratch = try Scratch(["image.png", "notes.txt"])
        #expect(try filterctl(["test", "image.png", "notes.txt"], in: scratch).status == 0)
        let missing = try filterctl(["test", "image.png", "missing.bin"], in: scratch)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing.bin: no such file"))
        #expect(missing.text.contains("ACCEPT  image.png"), "the other files are still tested")
        let directory = try filterctl(["test", "."], in: scratch)
        #expect(directory.status == 2)
        #expect(directory.stderr.contains("is a directory"))
        #expect(try filterctl(["test", "--no-such-flag", "image.png"], in: scratch).status == 2)
        #expect(try filterctl(["test"], in: scratch).status == 2)
        #expect(try filterctl(["frobnicate"], in: scratch).status == 2)
        #expect(try filterctl(["--help"], in: scratch).status == 0)
    }

    @Test func configErrorsExit2NamingFileAndLine() throws {
        let scratch = try Scratch(["image.png"])
        try scratch.write("bad.yaml", "chains:\n  a:\n    - magic: { allow: [imag/png] }\n")
        let result = try filterctl(["test", "--config", "bad.yaml", "image.png"], in: scratch)
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yaml:3: chains.a[0].magic.allow[0]: \"imag/png\": unknown top-level type \"imag\""))
        let validate = try filterctl(["validate", "bad.yaml"], in: scratch)
        #expect(validate.status == 2)
        #expect(try filterctl(["test", "--config", "nope.yaml", "image.png"], in: scratch).stderr.contains("nope.yaml: no such file"))
    }

    @Test func localSluiceYamlAndChainSelection() throws {
        let scratch = try Scratch(["image.png", "notes.txt"])
        try scratch.write("sluice.yaml", """
            chains:
              pictures:
                - magic: { allow: [image/*] }
              texts:
                - magic: { allow: [text/*] }
            """)
        let ambiguous = try filterctl(["test", "notes.txt"], in: scratch)
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr.contains("several chains (pictures, texts)"))
        #expect(try filterctl(["test", "--chain", "texts", "notes.txt"], in: scratch).status == 0)
        #expect(try filterctl(["test", "--chain", "pictures", "notes.txt"], in: scratch).status == 1)
        #expect(try filterctl(["test", "--chain", "nope", "notes.txt"], in: scratch).status == 2)
        try scratch.write("sluice.yaml", """
            routes:
              - { path: /upload, chain: pictures }
            chains:
              texts:
                - magic: { allow: [text/*] }
              pictures:
                - magic: { allow: [image/*] }
            """)
        let routed = try filterctl(["test", "--json", "image.png"], in: scratch)
        #expect(try jsonLines(routed)[0]["chain"] as? String == "pictures")
    }

    @Test func declaredTypeAndFilenameFlags() throws {
        let scratch = try Scratch(["image.png"])
        let spoof = try filterctl(["test", "--json", "--content-type", "application/pdf", "image.png"], in: scratch)
        #expect(spoof.status == 1)
        #expect(try jsonLines(spoof)[0]["declaredType"] as? String == "application/pdf")
        let named = try filterctl(["test", "--json", "--filename", "Café menu.png", "image.png"], in: scratch)
        #expect(try jsonLines(named)[0]["contentDisposition"] as? String == "inline; filename=\"Cafe menu.png\"; filename*=UTF-8''Caf%C3%A9%20menu.png")
    }

    @Test func outputWritesWhatWouldBeStored() throws {
        let scratch = try Scratch(["notes.txt", "page.html"])
        try scratch.write("sluice.yaml", """
            chains:
              text:
                - magic: { allow: [text/plain] }
                - gzip: {}
            """)
        let result = try filterctl(["test", "--output", "stored.gz", "notes.txt"], in: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        let stored = [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.file("stored.gz"))))
        #expect(try gunzip(stored) == (try Fixtures.bytes("notes.txt")))
        let rejected = try filterctl(["test", "--output", "nothing.bin", "page.html"], in: scratch)
        #expect(rejected.status == 1)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("nothing.bin")))
        let several = try filterctl(["test", "--output", "out", "notes.txt", "page.html"], in: scratch)
        #expect(several.status == 1)
        #expect(FileManager.default.fileExists(atPath: scratch.file("out/notes.txt")))
        #expect(!FileManager.default.fileExists(atPath: scratch.file("out/page.html")))
    }

    @Test func validateSummarizesAndWarns() throws {
        let scratch = try Scratch()
        try scratch.write("sluice.yaml", """
            storage: { type: discard }
            routes:
              - { path: /upload, chain: risky }
            chains:
              risky:
                - magic: {}
                - disposition: { inline: [text/html], allowActiveContent: true }
            """)
        let result = try filterctl(["validate"], in: scratch)
        #expect(result.status == 0)
        #expect(result.text.contains("sluice.yaml: OK (1 chain, 1 route)"))
        #expect(result.text.contains("POST /upload, PUT /upload/<filename> -> risky"))
        #expect(result.text.contains("2. disposition  inline text/html; active content allowed"))
        #expect(result.stderr.contains("warning: sluice.yaml:7: chains.risky[1]: allowActiveContent is on"))
        let empty = try Scratch()
        #expect(try filterctl(["validate"], in: empty).status == 2)
    }

    @Test func filtersListsEveryFilterWithDefaults() throws {
        let result = try filterctl(["filters"], in: try Scratch())
        #expect(result.status == 0)
        for name in FilterRegistry.standard.names { #expect(result.text.contains("\n\(name)\n") || result.text.hasPrefix("\(name)\n")) }
        #expect(result.text.contains("sniffBytes: size (default: 64KiB)"))
        #expect(result.text.contains("level: 1-9 (default: 6)"))
    }
}
