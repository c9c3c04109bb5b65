import Foundation
import S3
import TestSupport
import Testing

/// examples/app end to end, with its own config: a token minted by the app (PyJWT) -> the upload
/// through Sluice -> the webhook the app verified (standardwebhooks) -> the object in S3 with the
/// user's metadata -> the receipt the app checked. Over HTTP, and in Chromium through the app's page.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
final class ExampleAppTests {
    let s3 = S3TestEnvironment.current!
    let app: ExampleApp
    let server: ServerProcess
    let client: S3Client
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/app").standardized

    init() async throws {
        let tokenSecret = "example-" + UUID().uuidString + UUID().uuidString
        let hookSecret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let appPort = try freePort()
        // The example's own config, pointed at this test's S3 bucket and the app's port.
        let yaml = try String(contentsOf: Self.directory.appendingPathComponent("sluice.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "bucket: uploads", with: "bucket: \(s3.bucket)")
            .replacingOccurrences(of: "http://127.0.0.1:5000", with: "http://127.0.0.1:\(appPort)")
        let secrets = ["SLUICE_TOKEN_SECRET": tokenSecret, "SLUICE_WEBHOOK_SECRET": hookSecret]
        server = try ServerProcess(yaml: yaml, environment: secrets.merging(["SLUICE_PORT": "0"]) { $1 })
        app = try await ExampleApp(port: appPort, environment: secrets.merging(["SLUICE_URL": server.url]) { $1 })
        client = try s3.client()
    }

    deinit {
        let client = self.client
        Task { try? await client.shutdown() }
    }

    var png: [UInt8] { (try? Fixtures.bytes("image.png")) ?? [] }

    func mint() async throws -> String {
        let answer = try await HTTP.request(app.url + "/token", method: .POST)
        return try #require(answer.json?["token"] as? String)
    }

    func upload(_ bytes: [UInt8], filename: String, token: String) async throws -> Answer {
        try await HTTP.post(
            server.url + "/avatars", form: FormBody(parts: [.init(name: "file", filename: filename, body: bytes)]),
            headers: [("Authorization", "Bearer \(token)")])
    }

    func appUploads() async throws -> [[String: Any]] {
        let body = try await HTTP.request(app.url + "/uploads").body
        return try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
    }

    @Test func overHTTP() async throws {
        let token = try await mint()
        let answer = try await upload(png, filename: "me.png", token: token)
        #expect(answer.status == 201, "\(answer.body)")
        let key = try #require(answer.files.first?["key"] as? String)
        #expect(key.hasPrefix("users/user-42/"))

        let known = try await appUploads()
        #expect(known.count == 1, "the app heard of it, by a verified webhook, before the 201")
        #expect(known.first?["key"] as? String == key)
        #expect(known.first?["user"] as? String == "user-42")
        let (sha, _) = try await client.sha256(bucket: s3.bucket, key: key)
        #expect(known.first?["sha256"] as? String == sha)

        let head = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(head.metadata["sub"] == "user-42")
        #expect(head.metadata["app"] == "example")

        let receipt = try #require(answer.json?["receipt"] as? String)
        let checked = try await HTTP.request(
            app.url + "/receipt", method: .POST, headers: [("Content-Type", "application/json")],
            body: .init(bytes: try JSONSerialization.data(withJSONObject: ["receipt": receipt])))
        #expect(checked.status == 200, "\(checked.body)")
        #expect(checked.json?["user"] as? String == "user-42")

        let again = try await upload(png, filename: "me.png", token: token)
        #expect(again.json?["error"] as? String == "token_replayed", "the app's tokens are single-use")

        let refused = try await upload(png, filename: "refuse-me.png", token: try await mint())
        #expect(refused.status == 422, "\(refused.body)")
        #expect(refused.json?["error"] as? String == "refused_by_app")
        let text = try await upload(Array("not an image\n".utf8), filename: "notes.png", token: try await mint())
        #expect(text.status == 415)
        #expect(try await appUploads().count == 1)
        let stored = try await client.listObjects(bucket: s3.bucket, prefix: "users/user-42/")
        #expect(stored == [key], "nothing kept from the refused uploads")
        try await client.deleteObject(bucket: s3.bucket, key: key)
    }

    @Test(.enabled(if: Browser.available, Browser.skipReason))
    func inChromiumThroughTheAppsPage() async throws {
        let scratch = try ScratchDirectory("avatar")
        let file = scratch.file("avatar.png")
        try Data(png).write(to: file)
        let browser = try await Browser()
        do {
            try await browser.open(app.url + "/")
            try await browser.type(file.path, into: "#file")
            try await browser.click("#send")
            try await browser.wait(for: "document.getElementById('result').textContent.length > 0", timeout: .seconds(30))
            let shown = try await browser.run("return document.getElementById('result').textContent;") as? String
            #expect(shown?.hasPrefix("stored users/user-42/") == true, "\(shown ?? "")")
            #expect(shown?.hasSuffix(" for user-42") == true)
            let known = try await appUploads()
            #expect(known.count == 1)
            if let key = known.first?["key"] as? String {
                #expect(shown?.contains(key) == true)
                try await client.deleteObject(bucket: s3.bucket, key: key)
            }
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
    }
}

/// examples/app/app.py on a given port, stopped by its PID.
final class ExampleApp: @unchecked Sendable {
    let process = Process()
    let url: String

    init(port: Int, environment: [String: String]) async throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ExampleAppTests.directory.appendingPathComponent("app.py").path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["APP_PORT": "\(port)"]) { $1 }) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        url = "http://127.0.0.1:\(port)"
        for _ in 0..<100 {
            if (try? await HTTP.request(url + "/uploads"))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw RawHTTPError(message: "examples/app did not start")
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
