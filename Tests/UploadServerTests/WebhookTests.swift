import Foundation
import S3
import TestSupport
import Testing

/// Webhooks to an app whose endpoint verifies them with `standardwebhooks` (the Standard
/// Webhooks project's Python library): what it receives, and what the client gets when the app
/// refuses, is slow, or is down.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
final class WebhookTests {
    let s3 = S3TestEnvironment.current!
    let prefix = S3TestEnvironment.prefix()
    let tokenSecret = "an-upload-token-secret-of-more-than-32-bytes"
    let hookSecret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
    let receiver: WebhookReceiver
    let server: ServerProcess
    let client: S3Client

    init() async throws {
        receiver = try WebhookReceiver(secret: hookSecret)
        server = try ServerProcess(yaml: """
            server: { host: 127.0.0.1, port: 0 }
            storage: { type: s3, bucket: \(s3.bucket), partSize: 5MiB, keyTemplate: "\(prefix){uuid}/{filename}" }
            routes:
              - path: /await
                chain: images
                auth: { jwt: { secretEnv: TEST_JWT_SECRET } }
                notify: { url: "\(receiver.url)/hook", secretEnv: TEST_HOOK_SECRET, mode: await, timeout: 1, attempts: 2 }
              - path: /background
                chain: images
                notify: { url: "\(receiver.url)/hook", secretEnv: TEST_HOOK_SECRET, mode: background, retryFor: 30, events: [stored, rejected] }
            chains:
              images:
                - magic: { allow: [image/*] }
                - hash: { algorithms: [sha256] }
            """, environment: ["TEST_JWT_SECRET": tokenSecret, "TEST_HOOK_SECRET": hookSecret])
        client = try s3.client()
    }

    deinit {
        let client = self.client
        Task { try? await client.shutdown() }
    }

    var png: [UInt8] { (try? Fixtures.bytes("image.png")) ?? [] }

    func upload(_ path: String, _ bytes: [UInt8]? = nil, filename: String = "a.png") async throws -> Answer {
        let token = try PyJWT.encode(["exp": Int(Date().timeIntervalSince1970) + 300, "sub": "user-5"], key: tokenSecret)
        return try await HTTP.post(
            server.url + path, form: FormBody(parts: [.init(name: "file", filename: filename, body: bytes ?? png)]),
            headers: [("Authorization", "Bearer \(token)")])
    }

    func leftovers() async throws -> [String] {
        let keys = try await client.listObjects(bucket: s3.bucket).filter { $0.hasPrefix(prefix) }
        let uploads = try await client.listMultipartUploads(bucket: s3.bucket).map(\.key).filter { $0.hasPrefix(prefix) }
        return keys + uploads
    }

    /// Waits up to `seconds` for `count` deliveries.
    func deliveries(atLeast count: Int, seconds: Double = 10) async throws -> [[String: Any]] {
        try await deliveries(seconds: seconds) { $0.count >= count }
    }

    /// The receiver's deliveries once `done` holds of them, or after `seconds`.
    func deliveries(seconds: Double = 10, until done: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        for _ in 0..<Int(seconds * 10) {
            all = try await receiver.deliveries()
            if done(all) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return all
    }

    @Test func awaitModeDeliversBeforeTheAnswerAndTheAppCanVerifyIt() async throws {
        try await receiver.set("ok")
        let answer = try await upload("/await")
        #expect(answer.status == 201, "\(answer.body)")
        let delivery = try #require(try await receiver.deliveries().first, "delivered before the 201")
        #expect(delivery["verified"] as? Bool == true, "standardwebhooks verified the signature: \(delivery)")
        let payload = try #require(delivery["payload"] as? [String: Any])
        #expect(payload["type"] as? String == "upload.stored")
        let data = try #require(payload["data"] as? [String: Any])
        #expect(data["sub"] as? String == "user-5")
        #expect(data["route"] as? String == "/await")
        #expect(data["clientAddress"] as? String == "127.0.0.1")
        let key = try #require((data["files"] as? [[String: Any]])?.first?["key"] as? String)
        #expect(key == answer.files.first?["key"] as? String)
        #expect(data["receipt"] as? String == answer.json?["receipt"] as? String)
        try await client.deleteObject(bucket: s3.bucket, key: key)
    }

    @Test func anAppThatRefusesUndoesTheUploadWithItsOwnError() async throws {
        try await receiver.set("refuse")
        let answer = try await upload("/await")
        #expect(answer.status == 403, "\(answer.body)")
        #expect(answer.json?["error"] as? String == "quota_exceeded")
        #expect(answer.json?["message"] as? String == "this user is over quota")
        #expect(try await leftovers().isEmpty, "nothing kept when the app refuses")
        #expect(try await receiver.deliveries().count == 1, "a refusal is not retried")
    }

    @Test func anAppThatDoesNotAnswerInTimeUndoesTheUpload() async throws {
        try await receiver.set("slow")
        let big = png + [UInt8](repeating: 0, count: 12 << 20)  // a multipart upload in S3
        let answer = try await upload("/await", big)
        #expect(answer.status == 502, "\(answer.body)")
        #expect(answer.json?["error"] as? String == "webhook_failed")
        #expect(try await leftovers().isEmpty, "no object and no multipart upload left")
        try await receiver.set("ok")
    }

    @Test func backgroundDeliveriesAreRetriedUntilTheAppIsBack() async throws {
        try await receiver.set("down")
        let answer = try await upload("/background")
        #expect(answer.status == 201, "the client does not wait for the app")
        let failed = try await deliveries(atLeast: 2)
        #expect(failed.allSatisfy { $0["answered"] as? String == "down" })
        try await receiver.set("ok")
        // An attempt already on its way when the app came back may still be answered "down".
        let all = try await deliveries(seconds: 20) { $0.contains { $0["answered"] as? String == "ok" } }
        let delivered = try #require(all.last { $0["answered"] as? String == "ok" })
        #expect(delivered["verified"] as? Bool == true)
        #expect(Set(all.compactMap { $0["id"] as? String }).count == 1, "every attempt carries the same webhook-id")
        let deliveredOnce = "sluice_webhook_deliveries_total{route=\"/background\",mode=\"background\",outcome=\"delivered\"} 1"
        var metrics = ""
        for _ in 0..<50 {
            metrics = try await HTTP.request(server.url + "/metrics").body
            if metrics.contains(deliveredOnce) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(metrics.contains(deliveredOnce))
        #expect(metrics.contains("outcome=\"attempt_failed\""))
        if let key = answer.files.first?["key"] as? String { try await client.deleteObject(bucket: s3.bucket, key: key) }
    }

    @Test func rejectedUploadsAreReportedWhenTheRouteAsks() async throws {
        try await receiver.set("ok")
        let answer = try await upload("/background", Array("not an image\n".utf8), filename: "notes.txt")
        #expect(answer.status == 415)
        let delivery = try #require(try await deliveries(atLeast: 1).first)
        let payload = try #require(delivery["payload"] as? [String: Any])
        #expect(payload["type"] as? String == "upload.rejected")
        #expect((payload["data"] as? [String: Any])?["error"] as? String == "type_not_allowed")
    }
}

/// scripts/testing/webhook_receiver.py, stopped by its PID.
final class WebhookReceiver: @unchecked Sendable {
    let process = Process()
    let url: String

    init(secret: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/testing/webhook_receiver.py").standardized.path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, secret]
        let out = Pipe()
        process.standardOutput = out
        // Not the test's own stderr: a child holding it open keeps `swift test` waiting.
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw RawHTTPError(message: "the webhook receiver did not start")
        }
        url = "http://127.0.0.1:\(port)"
    }

    deinit { stop() }

    func set(_ behaviour: String) async throws {
        _ = try await HTTP.request(url + "/behaviour", method: .POST, body: .init(string: behaviour))
    }

    func deliveries() async throws -> [[String: Any]] {
        let body = try await HTTP.request(url + "/deliveries").body
        return try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
