import AsyncHTTPClient
import Checksums
import Filters
import S3
import Foundation
import NIOCore
import TestSupport
import Testing

/// UploadServer end to end: HTTP in, S3 (the test endpoint) out.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
final class UploadTests {
    let s3 = S3TestEnvironment.current!
    /// Every key this suite's server writes starts with it.
    let prefix = S3TestEnvironment.prefix()
    let server: ServerProcess
    let client: S3Client

    init() async throws {
        server = try ServerProcess(yaml: """
            server: { host: 127.0.0.1, port: 0, maxConcurrentUploads: 32, shutdownTimeout: 5 }
            storage: { type: s3, bucket: \(s3.bucket), partSize: 5MiB, keyTemplate: "\(prefix){uuid}/{filename}" }
            routes:
              - { path: /upload, chain: any, maxFiles: 5, maxFields: 3, maxFieldBytes: 100, maxRequestBytes: 64MiB }
              - { path: /images, chain: images }
              - { path: /docs, chain: docs }
              - { path: /private, chain: any, auth: { bearerTokensEnv: TEST_UPLOAD_TOKENS } }
            chains:
              any:
                - size-limit: { max: 40MiB }
                - magic: {}
                - disposition: {}
                - hash: { algorithms: [sha256] }
              images:
                - magic: { allow: [image/*] }
                - disposition: {}
                - hash: { algorithms: [sha256] }
              docs:
                - magic: { allow: [text/*] }
                - gzip: {}
                - hash: { algorithms: [sha256] }
            """, environment: ["TEST_UPLOAD_TOKENS": "secret-one, secret-two"])
        client = try s3.client()
    }

    deinit {
        let client = self.client
        Task { try? await client.shutdown() }
    }

    func objects() async throws -> [String] { try await client.keys(bucket: s3.bucket, prefix: prefix) }

    func unfinished() async throws -> [String] {
        try await client.listMultipartUploads(bucket: s3.bucket).map(\.key).filter { $0.hasPrefix(prefix) }
    }

    @Test func oneFileWithFields() async throws {
        let png = try Fixtures.bytes("image.png")
        let form = FormBody(parts: [
            .init(name: "title", body: Array("Holiday".utf8)), .init(name: "tags", body: Array("a".utf8)),
            .init(name: "file", filename: "beach.png", contentType: "image/png", body: png), .init(name: "tags", body: Array("b".utf8)),
        ])
        let answer = try await HTTP.post(server.url + "/upload", form: form)
        #expect(answer.status == 201, "\(answer.body)")
        #expect(answer.json?["code"] as? Int == 201)
        let fields = try #require(answer.json?["fields"] as? [String: any Sendable])
        #expect(fields["title"] as? String == "Holiday")
        #expect(fields["tags"] as? [String] == ["a", "b"])
        let file = try #require(answer.files.first)
        let expectedKeys: Set<String> = ["field", "filename", "key", "bucket", "size", "bytesReceived", "contentType", "declaredType", "disposition",
                                         "contentDisposition", "contentEncoding", "etag", "digests"]
        #expect(expectedKeys.isSubset(of: Set(file.keys)))
        #expect(file["field"] as? String == "file")
        #expect(file["filename"] as? String == "beach.png")
        #expect(file["bucket"] as? String == s3.bucket)
        #expect(file["size"] as? Int == png.count && file["bytesReceived"] as? Int == png.count)
        #expect(file["contentType"] as? String == "image/png" && file["disposition"] as? String == "inline")
        let key = try #require(file["key"] as? String)
        #expect(key.hasPrefix(prefix) && key.hasSuffix("/beach.png"))
        let (sha, _) = try await client.sha256(bucket: s3.bucket, key: key)
        #expect(sha == (file["digests"] as? [String: String])?["sha256"])
        #expect(sha == DigestAlgorithm.sha256.digest(png.withUnsafeBytes { $0 }).hex)
        let head = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(head.contentType == "image/png")
        #expect(head.contentDisposition == "inline; filename=\"beach.png\"; filename*=UTF-8''beach.png")
        #expect(answer.headers.first(name: "x-request-id")?.count == 16)
    }

    @Test func severalFiles() async throws {
        var rng = SeededRandom(seed: 9)
        let contents = [rng.bytes(7 << 20), try Fixtures.bytes("photo.jpg"), Array("plain text\n".utf8)]
        let form = FormBody(parts: [
            .init(name: "a", filename: "random.bin", body: contents[0]), .init(name: "b", filename: "photo.jpg", contentType: "image/jpeg", body: contents[1]),
            .init(name: "note", body: Array("three files".utf8)), .init(name: "c", filename: "note.txt", contentType: "text/plain", body: contents[2]),
        ])
        let answer = try await HTTP.post(server.url + "/upload", form: form)
        #expect(answer.status == 201, "\(answer.body)")
        #expect(answer.files.count == 3)
        for (file, content) in zip(answer.files, contents) {
            let key = try #require(file["key"] as? String)
            #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == DigestAlgorithm.sha256.digest(content.withUnsafeBytes { $0 }).hex)
        }
        #expect(answer.files.first?["parts"] as? Int == 2)
    }

    @Test func aSpoofedTypeIs415AndStoresNothing() async throws {
        let before = try await objects()
        for (route, file, declared) in [("/images", "page.html", "image/png"), ("/upload", "drawing.svg", "image/png"), ("/upload", "page.html", "text/plain")] {
            let form = FormBody(parts: [.init(name: "file", filename: "cat.png", contentType: declared, body: try Fixtures.bytes(file))])
            let answer = try await HTTP.post(server.url + route, form: form)
            #expect(answer.status == 415, "\(route) \(file): \(answer.body)")
            #expect(answer.json?["code"] as? Int == 415)
            #expect(["type_not_allowed", "type_mismatch"].contains(answer.json?["error"] as? String))
            #expect(answer.json?["filter"] as? String == "magic")
            #expect(answer.json?["file"] as? String == "cat.png")
        }
        #expect(try await objects() == before)
    }

    @Test func aRequestIsAllOrNothing() async throws {
        let before = try await objects()
        let form = FormBody(parts: [
            .init(name: "ok", filename: "fine.png", contentType: "image/png", body: try Fixtures.bytes("image.png")),
            .init(name: "big", filename: "big.bin", body: SeededRandom(seed: 2).bytesOf(12 << 20)),
            .init(name: "bad", filename: "evil.png", contentType: "image/png", body: try Fixtures.bytes("page.html")),
        ])
        let answer = try await HTTP.post(server.url + "/upload", form: form)
        #expect(answer.status == 415)
        #expect(answer.json?["file"] as? String == "evil.png")
        // The two files stored before the refusal were deleted again.
        #expect(try await objects() == before)
        #expect(try await unfinished().isEmpty)
    }

    @Test(.enabled(if: S3TestEnvironment.current?.strict == true, Comment(rawValue: S3TestEnvironment.notStrictReason.rawValue)))
    func anUnicodeFilenameGivesACorrectKeyAndDisposition() async throws {
        let name = "Grüße 写真 «fin».png"
        let form = FormBody(parts: [.init(name: "file", filename: name, contentType: "image/png", body: try Fixtures.bytes("image.png"))])
        let answer = try await HTTP.post(server.url + "/upload", form: form)
        #expect(answer.status == 201, "\(answer.body)")
        let file = try #require(answer.files.first)
        #expect(file["filename"] as? String == name)
        let key = try #require(file["key"] as? String)
        #expect(key.hasSuffix("/" + name))
        let head = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(head.contentDisposition == "inline; filename=\"Gru_e __ _fin_.png\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%E5%86%99%E7%9C%9F%20%C2%ABfin%C2%BB.png")
    }

    @Test func aGzipRouteStoresAnEncodedObject() async throws {
        let text = Array(String(repeating: "Sluice compresses text on the way to S3.\n", count: 20_000).utf8)
        let form = FormBody(parts: [.init(name: "file", filename: "notes.txt", contentType: "text/plain", body: text)])
        let answer = try await HTTP.post(server.url + "/docs", form: form)
        #expect(answer.status == 201, "\(answer.body)")
        let file = try #require(answer.files.first)
        #expect(file["contentEncoding"] as? String == "gzip")
        let key = try #require(file["key"] as? String)
        let head = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(head.contentEncoding == "gzip")
        #expect(head.contentLength < Int64(text.count) / 10)
        var stored: [UInt8] = []
        try await client.getObject(bucket: s3.bucket, key: key) { stored += $0.readableBytesView }
        #expect(try gunzip(stored) == text)
    }

    @Test func sixteenConcurrentUploads() async throws {
        let sizes = (0..<16).map { ($0 % 2 == 0 ? 6 : 2) << 20 }
        try await uploadConcurrently(to: server.url + "/upload", sizes: sizes, seed: 100, name: "f", s3: s3, client: client)
    }

    @Test func bearerTokens() async throws {
        let form = FormBody(parts: [.init(name: "file", filename: "x.png", contentType: "image/png", body: try Fixtures.bytes("image.png"))])
        let none = try await HTTP.post(server.url + "/private", form: form)
        #expect(none.status == 401)
        #expect(none.json?["error"] as? String == "unauthorized")
        let wrong = try await HTTP.post(server.url + "/private", form: form, headers: [("Authorization", "Bearer secret-three")])
        #expect(wrong.status == 401)
        let right = try await HTTP.post(server.url + "/private", form: form, headers: [("Authorization", "Bearer secret-two")])
        #expect(right.status == 201)
    }

    @Test func rawPut() async throws {
        let pdf = try Fixtures.bytes("document.pdf")
        let answer = try await HTTP.request(
            server.url + "/upload/Annual%20report.pdf", method: .PUT, headers: [("Content-Type", "application/pdf")], body: ByteBuffer(bytes: pdf))
        #expect(answer.status == 201, "\(answer.body)")
        let file = try #require(answer.files.first)
        #expect(file["filename"] as? String == "Annual report.pdf")
        #expect(file["contentType"] as? String == "application/pdf")
        let key = try #require(file["key"] as? String)
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == DigestAlgorithm.sha256.digest(pdf.withUnsafeBytes { $0 }).hex)
        let spoof = try await HTTP.request(server.url + "/upload/x.pdf", method: .PUT, headers: [("Content-Type", "application/pdf")], body: ByteBuffer(bytes: try Fixtures.bytes("page.html")))
        #expect(spoof.status == 415)
    }

    @Test func limitsOnFilesAndFields() async throws {
        let png = try Fixtures.bytes("image.png")
        let six = FormBody(parts: (0..<6).map { .init(name: "f\($0)", filename: "\($0).png", contentType: "image/png", body: png) })
        let files = try await HTTP.post(server.url + "/upload", form: six)
        #expect(files.status == 413 && files.json?["error"] as? String == "too_many_files")
        let fields = FormBody(parts: (0..<4).map { .init(name: "x\($0)", body: [65]) } + [.init(name: "f", filename: "a.png", body: png)])
        #expect(try await HTTP.post(server.url + "/upload", form: fields).json?["error"] as? String == "too_many_fields")
        let long = FormBody(parts: [.init(name: "x", body: [UInt8](repeating: 65, count: 101)), .init(name: "f", filename: "a.png", body: png)])
        #expect(try await HTTP.post(server.url + "/upload", form: long).json?["error"] as? String == "field_too_large")
        let noFile = FormBody(parts: [.init(name: "x", body: [65])])
        let answer = try await HTTP.post(server.url + "/upload", form: noFile)
        #expect(answer.status == 400 && answer.json?["error"] as? String == "no_file")
        #expect(try await objects().allSatisfy { !$0.hasSuffix("/a.png") })
    }

    @Test func unknownPathsAndMethods() async throws {
        let missing = try await HTTP.request(server.url + "/nope")
        #expect(missing.status == 404 && missing.json?["error"] as? String == "not_found" && missing.json?["code"] as? Int == 404)
        let get = try await HTTP.request(server.url + "/upload")
        #expect(get.status == 405 && get.headers.first(name: "allow") == "POST, OPTIONS")
        let delete = try await HTTP.request(server.url + "/healthz", method: .DELETE)
        #expect(delete.status == 405)
        let health = try await HTTP.request(server.url + "/healthz")
        #expect(health.status == 200 && health.json?["status"] as? String == "ok")
    }

    @Test func metricsAndLogs() async throws {
        let form = FormBody(parts: [.init(name: "file", filename: "m.png", contentType: "image/png", body: try Fixtures.bytes("image.png"))])
        _ = try await HTTP.post(server.url + "/images", form: form)
        _ = try await HTTP.post(server.url + "/images", form: FormBody(parts: [.init(name: "file", filename: "m.png", body: try Fixtures.bytes("page.html"))]))
        let metrics = try await HTTP.request(server.url + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        for line in ["sluice_uploads_total{route=\"/images\",outcome=\"stored\"}", "sluice_uploads_total{route=\"/images\",outcome=\"rejected\"}",
                     "sluice_rejections_total{filter=\"magic\",code=\"type_not_allowed\"}", "sluice_bytes_received_total{route=\"/images\"}",
                     "sluice_bytes_stored_total{route=\"/images\"}", "sluice_uploads_in_flight", "sluice_s3_request_duration_seconds_bucket{operation=\"PutObject\"",
                     "sluice_upload_duration_seconds_count{route=\"/images\"}"] {
            #expect(metrics.body.contains(line), "\(line)")
        }
        let log = server.log
        let stored = try #require(log.split(separator: "\n").last { $0.contains("outcome=stored") && $0.contains("route=/images") })
        for field in ["request_id=", "duration_ms=", "keys=", "size=304", "status=201", "bytes_received="] { #expect(stored.contains(field), "\(field)") }
        #expect(log.contains("error=type_not_allowed") && log.contains("filter=magic"))
    }
}

extension SeededRandom {
    func bytesOf(_ count: Int) -> [UInt8] {
        var copy = self
        return copy.bytes(count)
    }
}
