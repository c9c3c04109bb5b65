import Checksums
import Filters
import S3
import Foundation
import TestSupport
import Testing

/// The upload page and sluice.js in a real browser (headless Chromium over WebDriver).
@Suite(
    .enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .enabled(if: Browser.available, Browser.skipReason),
    .serialized)
struct BrowserTests {
    let s3 = S3TestEnvironment.current!
    /// The files the page uploads, removed after each test.
    let scratch: ScratchDirectory

    init() throws { scratch = try ScratchDirectory("browser") }

    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../artifacts/browser").standardized

    func server(prefix: String, cors: String = "") throws -> ServerProcess {
        try ServerProcess(yaml: """
            server: { host: 127.0.0.1, port: 0\(cors) }
            storage: { type: s3, bucket: \(s3.bucket), partSize: 5MiB, keyTemplate: "\(prefix){uuid}/{filename}" }
            routes:
              - { path: /upload, chain: any }
              - { path: /small, chain: small }
              - { path: /private, chain: any, auth: { bearerTokensEnv: BROWSER_TOKENS } }
              - { path: /resumable, chain: any, resumable: true }
            chains:
              any:
                - size-limit: { max: 200MiB }
                - magic: {}
                - disposition: {}
                - hash: { algorithms: [sha256] }
              small:
                - size-limit: { max: 10MiB }
                - hash: { algorithms: [sha256] }
            """, environment: ["BROWSER_TOKENS": "browser-token"])
    }

    /// A file of random bytes on disk, for the file input.
    func randomFile(_ name: String, size: Int, seed: UInt64) throws -> (String, [UInt8]) {
        var rng = SeededRandom(seed: seed)
        let bytes = rng.bytes(size)
        let path = scratch.file(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    /// Records every progress value the page shows, from outside the page's own code.
    static let recordProgress = """
        window.__progress = [];
        new MutationObserver(function (changes) {
          changes.forEach(function (c) { if (c.attributeName === 'data-progress') window.__progress.push(parseFloat(c.target.dataset.progress)); });
        }).observe(document.getElementById('files'), { attributes: true, subtree: true, attributeFilter: ['data-progress'] });
        """

    @Test func uploadThroughThePageWithProgress() async throws {
        let prefix = S3TestEnvironment.prefix()
        let server = try server(prefix: prefix)
        try await Browser.using { browser in
            let (path, bytes) = try randomFile("holiday video.bin", size: 24 << 20, seed: 31)
            try await browser.open(server.url + "/")
            try await browser.throttleUpload(bytesPerSecond: 12 << 20)
            try await browser.run(BrowserTests.recordProgress)
            try await browser.type(path, into: "#picker")
            try await browser.wait(for: "document.querySelector('#files li') && document.querySelector('#files li').dataset.state", timeout: .seconds(60))
            #expect(try await browser.run("return document.querySelector('#files li').dataset.state;") as? String == "stored")
            let progress = try #require(try await browser.run("return window.__progress;") as? [Double])
            #expect(progress.contains { $0 > 0 && $0 < 100 }, "progress seen: \(progress)")
            #expect(progress == progress.sorted(), "progress went backwards: \(progress)")
            let key = try #require(try await browser.run("return document.querySelector('#files li').dataset.key;") as? String)
            #expect(key.hasPrefix(prefix) && key.hasSuffix("holiday video.bin"))
            let shown = try await browser.run("return Array.from(document.querySelectorAll('#files li dd')).map(function (d) { return d.textContent; });") as? [String]
            let sha = DigestAlgorithm.sha256.digest(bytes.withUnsafeBytes { $0 }).hex
            #expect(shown?.contains(sha) == true)
            let client = try s3.client()
            defer { Task { try? await client.shutdown() } }
            #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha)
            // The page as a user sees it after the upload.
            try FileManager.default.createDirectory(at: BrowserTests.artifacts, withIntermediateDirectories: true)
            let png = try await browser.screenshot()
            try png.write(to: BrowserTests.artifacts.appendingPathComponent("upload-page.png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000)
        }
    }

    @Test func anOversizedUploadShowsTheServersAnswer() async throws {
        // The server refuses at 10 MiB of 30 and closes the connection: the page must get the
        // 413 and its message, not a network error.
        let server = try server(prefix: S3TestEnvironment.prefix())
        try await Browser.using { browser in
            let (path, _) = try randomFile("too big.bin", size: 30 << 20, seed: 32)
            try await browser.open(server.url + "/")
            try await browser.run("document.getElementById('route').value = '/small';")
            try await browser.type(path, into: "#picker")
            try await browser.wait(for: "document.querySelector('#files li') && document.querySelector('#files li').dataset.state", timeout: .seconds(60))
            let status = try await browser.run("return document.querySelector('#files li .status').textContent;") as? String
            #expect(try await browser.run("return document.querySelector('#files li').dataset.state;") as? String == "failed")
            #expect(status?.contains("413 size_exceeded") == true, "\(status ?? "")")
            #expect(status?.contains("larger than the limit of 10 MiB") == true)
            try FileManager.default.createDirectory(at: BrowserTests.artifacts, withIntermediateDirectories: true)
            try await browser.screenshot().write(to: BrowserTests.artifacts.appendingPathComponent("refused-upload.png"))
        }
    }

    @Test func cancellingMidUploadLeavesNothing() async throws {
        let prefix = S3TestEnvironment.prefix()
        let server = try server(prefix: prefix)
        try await Browser.using { browser in
            let (path, _) = try randomFile("cancel me.bin", size: 48 << 20, seed: 33)
            try await browser.open(server.url + "/")
            try await browser.throttleUpload(bytesPerSecond: 8 << 20)
            try await browser.type(path, into: "#picker")
            // Cancel once a part or two are in S3.
            try await browser.wait(for: "document.querySelector('#files li') && parseFloat(document.querySelector('#files li').dataset.progress || 0) > 30")
            try await browser.click("#files li .cancel")
            try await browser.wait(for: "document.querySelector('#files li').dataset.state === 'cancelled'")
            #expect(try await browser.run("return document.querySelector('#files li .status').textContent;") as? String == "Cancelled — nothing was stored.")
            let client = try s3.client()
            defer { Task { try? await client.shutdown() } }
            #expect(try await client.eventuallyNothingLeft(bucket: s3.bucket, prefix: prefix))
            for _ in 0..<50 where !server.log.contains("outcome=disconnected") { try await Task.sleep(for: .milliseconds(100)) }
            #expect(server.log.contains("outcome=disconnected"))
        }
    }

    @Test func aResumableUploadGoesOnAfterThePageIsReloaded() async throws {
        let prefix = S3TestEnvironment.prefix()
        let server = try server(prefix: prefix)
        try await Browser.using { browser in
            let (path, bytes) = try randomFile("long trip.bin", size: 40 << 20, seed: 34)
            let chooseRoute = "var s = document.getElementById('route'); s.value = '/resumable'; s.dispatchEvent(new Event('change'));"
            try await browser.open(server.url + "/")
            try await browser.throttleUpload(bytesPerSecond: 8 << 20)
            try await browser.run(chooseRoute)
            #expect(try await browser.run("return document.getElementById('resumable-label').hidden;") as? Bool == false)
            try await browser.type(path, into: "#picker")
            try await browser.wait(for: "document.querySelector('#files li') && parseFloat(document.querySelector('#files li').dataset.progress || 0) > 30")
            // A reload cuts the PATCH in flight; the same file picked again goes on from what
            // the server kept, found through localStorage.
            try await browser.open(server.url + "/")
            try await browser.throttleUpload(bytesPerSecond: 8 << 20)
            try await browser.run(chooseRoute)
            try await browser.type(path, into: "#picker")
            try await browser.wait(for: "document.querySelector('#files li') && document.querySelector('#files li').dataset.state", timeout: .seconds(90))
            #expect(try await browser.run("return document.querySelector('#files li').dataset.state;") as? String == "stored")
            let resumedFrom = try await browser.run("return Number(document.querySelector('#files li').dataset.resumedFrom || 0);") as? Int ?? 0
            #expect(resumedFrom > 10 << 20, "the second page went on from \(resumedFrom) bytes")
            let key = try #require(try await browser.run("return document.querySelector('#files li').dataset.key;") as? String)
            #expect(key.hasPrefix(prefix) && key.hasSuffix("long trip.bin"))
            let sha = DigestAlgorithm.sha256.digest(bytes.withUnsafeBytes { $0 }).hex
            let shown = try await browser.run("return Array.from(document.querySelectorAll('#files li dd')).map(function (d) { return d.textContent; });") as? [String]
            #expect(shown?.contains(sha) == true)
            #expect(shown?.contains("application/octet-stream") == true && shown?.contains("attachment") == true, "\(shown ?? [])")
            let client = try s3.client()
            defer { Task { try? await client.shutdown() } }
            #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha)
            #expect(try await browser.run("return Object.keys(localStorage).filter(function (k) { return k.indexOf('sluice-tus:') === 0; }).length;") as? Int == 0)
            try FileManager.default.createDirectory(at: BrowserTests.artifacts, withIntermediateDirectories: true)
            try await browser.screenshot().write(to: BrowserTests.artifacts.appendingPathComponent("resumed-upload.png"))
        }
    }

    @Test func crossOriginUploadsPassPreflightOnlyFromAllowedOrigins() async throws {
        // Another site's page that includes sluice.js from the upload server, as a customer's
        // site would; served by a throwaway static server on another origin.
        let prefix = S3TestEnvironment.prefix()
        let pagePort = try freePort()
        let uploads = try server(prefix: prefix, cors: ", cors: { allowOrigins: [\"http://localhost:\(pagePort)\"] }")
        let site = try StaticSite(port: pagePort, html: "<!DOCTYPE html><title>Another site</title><script src=\"\(uploads.url)/sluice.js\"></script>")
        defer { site.stop() }
        let script = """
            var done = arguments[arguments.length - 1];
            var file = new File([new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13])], 'cross.bin', { type: 'application/octet-stream' });
            Sluice.upload(file, { url: arguments[0], headers: { Authorization: 'Bearer browser-token' } })
              .then(function (json) { done({ ok: true, code: json.code, key: json.files[0].key }); })
              .catch(function (error) { done({ ok: false, status: error.status, error: error.error }); });
            """
        try await Browser.using { browser in
            // Allowed: the Authorization header makes the browser ask first, and the server agrees.
            try await browser.open("http://localhost:\(pagePort)/")
            let allowed = try #require(try await browser.runAsync(script, [uploads.url + "/private"]) as? [String: Any])
            #expect(allowed["ok"] as? Bool == true, "\(allowed)")
            #expect(allowed["code"] as? Int == 201)
            // Another origin (same host, other name): the preflight is refused and nothing is sent.
            try await browser.open("http://127.0.0.1:\(pagePort)/")
            let blocked = try #require(try await browser.runAsync(script, [uploads.url + "/private"]) as? [String: Any])
            #expect(blocked["ok"] as? Bool == false)
            #expect(blocked["status"] as? Int == 0, "the browser blocks it: \(blocked)")
            let client = try s3.client()
            defer { Task { try? await client.shutdown() } }
            #expect(try await client.keys(bucket: s3.bucket, prefix: prefix).count == 1)
            #expect(uploads.log.components(separatedBy: "outcome=stored").count == 2)
        }
    }
}
