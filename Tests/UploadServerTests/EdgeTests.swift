import Checksums
import Filters
import S3
import Foundation
import NIOCore
import TestSupport
import Testing

/// What clients get when requests are wrong, too big, abandoned or cross-origin.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
final class EdgeTests {
    let s3 = S3TestEnvironment.current!
    let prefix = S3TestEnvironment.prefix()
    let server: ServerProcess
    let client: S3Client

    init() async throws {
        server = try ServerProcess(yaml: """
            server:
              host: 127.0.0.1
              port: 0
              maxConcurrentUploads: 2
              cors: { allowOrigins: ["http://app.example"], allowHeaders: [content-type, authorization, x-requested-with], maxAge: 600 }
            storage: { type: s3, bucket: \(s3.bucket), partSize: 5MiB, keyTemplate: "\(prefix){uuid}/{filename}" }
            routes:
              - { path: /upload, chain: limited, maxRequestBytes: 100MiB }
            chains:
              limited:
                - size-limit: { max: 10MiB }
                - magic: {}
                - hash: { algorithms: [sha256] }
            """)
        client = try s3.client()
    }

    deinit {
        let client = self.client
        Task { try? await client.shutdown() }
    }

    func nothingLeft() async throws -> Bool { try await client.eventuallyNothingLeft(bucket: s3.bucket, prefix: prefix) }

    static let b = "XyZzY"
    static func part(_ name: String = "file", filename: String? = "f.bin") -> String {
        "--\(b)\r\nContent-Disposition: form-data; name=\"\(name)\"" + (filename.map { "; filename=\"\($0)\"" } ?? "") + "\r\n\r\n"
    }

    /// Malformed bodies, each sent with a correct Content-Length: 400 malformed_multipart, a
    /// message that says what, and a prompt answer.
    @Test(arguments: [
        ("multipart/form-data", part() + "x\r\n--\(b)--", "no boundary parameter"),
        ("application/json", "{}", "must be multipart/form-data"),
        ("multipart/form-data; boundary=Other", part() + "x\r\n--\(b)--", "does not contain the boundary"),
        ("multipart/form-data; boundary=\(b)", part() + "the file, and then the body just stops", "before its closing boundary"),
        ("multipart/form-data; boundary=\(b)", "--\(b)\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\nX-Pad: " + String(repeating: "p", count: 20_000) + "\r\n\r\nx\r\n--\(b)--", "headers are longer than"),
        ("multipart/form-data; boundary=\(b)", "--\(b)\r\nthis is not a header\r\n\r\nx\r\n--\(b)--", "broken header line"),
        ("multipart/form-data; boundary=\(b)", "--\(b)\r\nContent-Disposition: form-data; filename=\"a.txt\"\r\n\r\nx\r\n--\(b)--", "has no name"),
        ("multipart/form-data; boundary=\(b)", "--\(b)\r\nContent-Type: text/plain\r\n\r\nx\r\n--\(b)--", "no Content-Disposition"),
        ("multipart/form-data; boundary=\(b)", "--\(b)garbage\r\n", "not followed by CRLF"),
        ("multipart/form-data; boundary=\(b)", "", "does not contain the boundary"),
        ("multipart/form-data; boundary=\(b)", String(repeating: "preamble ", count: 9000) + "\r\n--\(b)\r\n", "not in the first 64 KiB"),
        ("multipart/form-data; boundary=\(b)", "--\(b)\r\nContent-Disposition: form-data; name=\"f\"", "inside a part's headers"),
        ("multipart/form-data; boundary=\(b)", "--\(b)\r\nContent-Disposition: inline; name=\"f\"\r\n\r\nx\r\n--\(b)--", "not form-data"),
        ("multipart/form-data; boundary=a{b}", "--a{b}--", "is not valid"),
    ])
    func malformedBodiesAre400(contentType: String, body: String, message: String) throws {
        let connection = try RawHTTP(port: server.port)
        connection.send(RawHTTP.head("POST", "/upload", [("Content-Type", contentType), ("Content-Length", "\(body.utf8.count)")]) + body)
        let started = ContinuousClock.now
        let response = try #require(RawResponse(connection.read()), "no answer")
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(response.status == 400)
        #expect(response.json?["error"] as? String == "malformed_multipart")
        #expect((response.json?["message"] as? String)?.contains(message) == true, "\(response.body)")
        #expect(response.json?["code"] as? Int == 400)
    }

    @Test func http10IsClosedAfterTheAnswerUnlessKeepAliveWasAsked() throws {
        // ab and other HTTP/1.0 clients read the answer until the server closes the connection.
        let body = EdgeTests.part() + "hello\r\n--\(EdgeTests.b)--\r\n"
        let headers = [("Content-Type", "multipart/form-data; boundary=\(EdgeTests.b)"), ("Content-Length", "\(body.utf8.count)")]
        let connection = try RawHTTP(port: server.port)
        connection.send(RawHTTP.head("POST", "/upload", headers, version: "1.0") + body)
        let response = try #require(RawResponse(connection.read()), "no answer")
        #expect(response.status == 201)
        #expect(connection.closedByServer(timeout: .seconds(3)))

        // Kept alive when asked, and the answer says so: without it, an HTTP/1.0 client (ab -k)
        // waits for a close that does not come.
        let keepAlive = try RawHTTP(port: server.port)
        for _ in 1...2 {
            keepAlive.send(RawHTTP.head("POST", "/upload", [("Connection", "keep-alive")] + headers, version: "1.0") + body)
            let answer = try #require(RawResponse(keepAlive.read()))
            #expect(answer.status == 201)
            #expect(answer.headers["connection"]?.lowercased() == "keep-alive")
        }
        #expect(!keepAlive.closedByServer(timeout: .milliseconds(500)))
    }

    @Test func aTruncatedBodyIs400() throws {
        // The client promises 10,000 bytes, sends 100 and stops sending.
        let connection = try RawHTTP(port: server.port)
        let body = EdgeTests.part() + String(repeating: "x", count: 100)
        connection.send(RawHTTP.head("POST", "/upload", [("Content-Type", "multipart/form-data; boundary=\(EdgeTests.b)"), ("Content-Length", "10000")]) + body)
        connection.finishSending()
        let response = try #require(RawResponse(connection.read()))
        #expect(response.status == 400)
        #expect(response.json?["error"] as? String == "malformed_multipart")
        #expect((response.json?["message"] as? String)?.contains("truncated") == true)
    }

    @Test func aTooLargeContentLengthIs413BeforeTheBody() throws {
        let connection = try RawHTTP(port: server.port)
        connection.send(RawHTTP.head("POST", "/upload", [("Content-Type", "multipart/form-data; boundary=\(EdgeTests.b)"), ("Content-Length", "\(10 << 30)")]))
        // Not a byte of body sent: the answer comes anyway.
        let response = try #require(RawResponse(connection.read(timeout: .seconds(3))))
        #expect(response.status == 413)
        #expect(response.json?["error"] as? String == "request_too_large")
        #expect(response.headers["connection"] == "close")
    }

    /// A body in a content coding (gzip, ...) would be sniffed and stored as its coding's bytes,
    /// or taken for a broken form: 415 before it is read, the coding named; identity is no coding.
    @Test(arguments: [
        ("POST", "/upload", "multipart/form-data; boundary=\(b)", "gzip", 415),
        ("PUT", "/upload/notes.txt", "text/plain", "identity, br", 415),
        ("PUT", "/upload/notes.txt", "text/plain", "identity", 201),
    ])
    func anEncodedBodyIsRefusedBeforeItIsRead(method: String, path: String, type: String, coding: String, status: Int) async throws {
        let connection = try RawHTTP(port: server.port)
        let body = method == "POST" ? EdgeTests.part() + "plain words\r\n--\(EdgeTests.b)--\r\n" : "plain words\n"
        connection.send(RawHTTP.head(method, path, [("Content-Type", type), ("Content-Encoding", coding), ("Content-Length", "\(body.utf8.count)")]))
        if status == 415 {
            // Not a byte of body sent: the answer comes anyway.
            let response = try #require(RawResponse(connection.read(timeout: .seconds(3))))
            #expect(response.status == 415)
            #expect(response.json?["error"] as? String == "unsupported_content_encoding")
            #expect((response.json?["message"] as? String)?.contains("Content-Encoding: \(coding == "gzip" ? "gzip" : "br")") == true)
            #expect(try await nothingLeft())
        } else {
            connection.send(body)
            let response = try #require(RawResponse(connection.read(timeout: .seconds(5))))
            #expect(response.status == 201)
        }
    }

    @Test func aRejectionMidStreamIsAnsweredAtOnceAndTheConnectionClosed() async throws {
        // 60 MiB declared, the chain allows 10 MiB. The client sends 12 MiB and then reads.
        let connection = try RawHTTP(port: server.port)
        let head = RawHTTP.head("POST", "/upload", [("Content-Type", "multipart/form-data; boundary=\(EdgeTests.b)"), ("Content-Length", "\(60 << 20)")])
        connection.send(head + EdgeTests.part())
        var rng = SeededRandom(seed: 4)
        for _ in 0..<12 { connection.send(rng.bytes(1 << 20)) }
        let response = try #require(RawResponse(connection.read(timeout: .seconds(5))), "no answer while the client is still mid-body")
        #expect(response.status == 413)
        #expect(response.json?["error"] as? String == "size_exceeded")
        #expect(response.json?["filter"] as? String == "size-limit")
        #expect(response.headers["connection"] == "close")
        #expect(connection.closedByServer(timeout: .seconds(8)))
        #expect(try await nothingLeft())
    }

    @Test func aClientThatDisconnectsMidUploadLeavesNothing() async throws {
        let connection = try RawHTTP(port: server.port)
        let head = RawHTTP.head("POST", "/upload", [("Content-Type", "multipart/form-data; boundary=\(EdgeTests.b)"), ("Content-Length", "\(9 << 20)")])
        connection.send(head + EdgeTests.part())
        var rng = SeededRandom(seed: 5)
        // 7 MiB: one 5 MiB part is on its way to S3 when the client vanishes.
        for _ in 0..<7 { connection.send(rng.bytes(1 << 20)) }
        try await Task.sleep(for: .milliseconds(500))
        connection.close()
        #expect(try await nothingLeft())
        for _ in 0..<50 where !server.log.contains("outcome=disconnected") { try await Task.sleep(for: .milliseconds(100)) }
        #expect(server.log.contains("outcome=disconnected"))
    }

    @Test func expectContinue() throws {
        let png = try Fixtures.bytes("image.png")
        let body = Array(EdgeTests.part(filename: "e.png").utf8) + png + Array("\r\n--\(EdgeTests.b)--\r\n".utf8)
        let connection = try RawHTTP(port: server.port)
        connection.send(RawHTTP.head("POST", "/upload", [("Content-Type", "multipart/form-data; boundary=\(EdgeTests.b)"), ("Content-Length", "\(body.count)"), ("Expect", "100-continue")]))
        let interim = connection.read(timeout: .seconds(2), interim: true)
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue"))
        connection.send(body)
        let response = try #require(RawResponse(connection.read()))
        #expect(response.status == 201)
    }

    @Test func beyondMaxConcurrentUploadsIs503() async throws {
        // Two slow uploads hold both slots; the third is turned away at once.
        var holders: [RawHTTP] = []
        for _ in 0..<2 {
            let connection = try RawHTTP(port: server.port)
            connection.send(RawHTTP.head("POST", "/upload", [("Content-Type", "multipart/form-data; boundary=\(EdgeTests.b)"), ("Content-Length", "100000")]) + EdgeTests.part())
            holders.append(connection)
        }
        try await Task.sleep(for: .milliseconds(300))
        let png = try Fixtures.bytes("image.png")
        let answer = try await HTTP.post(server.url + "/upload", form: FormBody(parts: [.init(name: "file", filename: "p.png", body: png)]))
        #expect(answer.status == 503)
        #expect(answer.json?["error"] as? String == "overloaded")
        holders.removeAll()
        try await Task.sleep(for: .milliseconds(300))
        let later = try await HTTP.post(server.url + "/upload", form: FormBody(parts: [.init(name: "file", filename: "p.png", body: png)]))
        #expect(later.status == 201, "\(later.body)")
    }

    @Test func corsPreflightAndHeaders() async throws {
        let allowed = try await HTTP.request(server.url + "/upload", method: .OPTIONS, headers: [
            ("Origin", "http://app.example"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization, x-requested-with"),
        ])
        #expect(allowed.status == 204)
        #expect(allowed.headers.first(name: "access-control-allow-origin") == "http://app.example")
        #expect(allowed.headers.first(name: "access-control-allow-methods")?.contains("POST") == true)
        #expect(allowed.headers.first(name: "access-control-allow-headers") == "authorization, x-requested-with")
        #expect(allowed.headers.first(name: "access-control-max-age") == "600")
        #expect(allowed.headers.first(name: "vary") == "Origin")

        for (origin, method, headers) in [("http://evil.example", "POST", ""), ("http://app.example", "DELETE", ""), ("http://app.example", "POST", "x-custom")] {
            let refused = try await HTTP.request(server.url + "/upload", method: .OPTIONS, headers: [
                ("Origin", origin), ("Access-Control-Request-Method", method), ("Access-Control-Request-Headers", headers),
            ])
            #expect(refused.status == 403, "\(origin) \(method) \(headers)")
            #expect(refused.headers.first(name: "access-control-allow-origin") == nil)
        }

        // Errors carry the CORS headers too, so the page can read them.
        let spoof = FormBody(parts: [.init(name: "file", filename: "x.png", contentType: "image/png", body: try Fixtures.bytes("page.html"))])
        let error = try await HTTP.post(server.url + "/upload", form: spoof, headers: [("Origin", "http://app.example")])
        #expect(error.status == 415)
        #expect(error.headers.first(name: "access-control-allow-origin") == "http://app.example")
        #expect(error.headers.first(name: "access-control-expose-headers")?.contains("x-request-id") == true)
        let other = try await HTTP.post(server.url + "/upload", form: spoof, headers: [("Origin", "http://evil.example")])
        #expect(other.headers.first(name: "access-control-allow-origin") == nil)
        let notFound = try await HTTP.request(server.url + "/nope", headers: [("Origin", "http://app.example")])
        #expect(notFound.headers.first(name: "access-control-allow-origin") == "http://app.example")
    }
}
