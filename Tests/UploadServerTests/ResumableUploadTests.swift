import Checksums
import Foundation
import NIOCore
import S3
import TestSupport
import Testing

/// tus uploads against UploadServer and the test S3, sent by tuspy (the tus project's Python
/// client) where a client would, and by hand where a client misbehaves on purpose: whole,
/// chunked, broken off and resumed, resumed on another server process, refused, terminated.
@Suite(.enabled(if: S3TestEnvironment.current != nil && TusPy.available, "needs the test S3 and tuspy (scripts/setup installs both)"), .serialized)
final class ResumableUploadTests {
    let s3 = S3TestEnvironment.current!
    let prefix = S3TestEnvironment.prefix()
    static let secret = "a-resumable-token-secret-of-more-than-32-bytes"
    let server: ServerProcess
    let client: S3Client
    /// Where the server keeps upload records (the default `resumable.prefix`).
    static let recordPrefix = ".sluice-resumable/"
    static let mib = 1 << 20

    static func yaml(bucket: String, prefix: String, server: String = "") -> String {
        """
        server: { host: 127.0.0.1, port: 0\(server) }
        storage: { type: s3, bucket: \(bucket), partSize: 5MiB, keyTemplate: "\(prefix){uuid}/{filename}" }
        routes:
          - { path: /upload, chain: any, maxRequestBytes: 64MiB, resumable: true }
          - { path: /small, chain: small, resumable: { maxLength: 8MiB, leaseSeconds: 5 } }
          - { path: /private, chain: any, resumable: true, auth: { jwt: { secretEnv: TEST_JWT_SECRET, singleUse: true } } }
          - { path: /brief, chain: small, resumable: { expiresAfter: 10 } }
        chains:
          any:
            - size-limit: { max: 40MiB }
            - magic: {}
            - disposition: {}
            - hash: { algorithms: [sha256, sha1, md5] }
          small:
            - size-limit: { max: 1MiB }
            - hash: { algorithms: [sha256] }
        """
    }

    static func startServer(bucket: String, prefix: String, server: String = "") throws -> ServerProcess {
        try ServerProcess(yaml: yaml(bucket: bucket, prefix: prefix, server: server), environment: ["TEST_JWT_SECRET": secret])
    }

    init() async throws {
        server = try ResumableUploadTests.startServer(bucket: s3.bucket, prefix: prefix)
        client = try s3.client()
    }

    deinit {
        let client = self.client
        Task { try? await client.shutdown() }
    }

    // MARK: - Helpers

    /// A server of its own whose S3 requests go through `proxy`.
    func serverBehind(_ proxy: FaultProxy) throws -> ServerProcess {
        try ServerProcess(
            yaml: ResumableUploadTests.yaml(bucket: s3.bucket, prefix: prefix), environment: ["TEST_JWT_SECRET": ResumableUploadTests.secret, "AWS_ENDPOINT_URL": proxy.url])
    }

    /// A real PNG's bytes, then `count` random ones: sniffed as a PNG, as long as a test needs.
    func pngThenRandom(_ count: Int) throws -> [UInt8] {
        try Fixtures.bytes("image.png") + Array(buffer: try randomBytes(count))
    }

    /// A PNG (so magic has something to say) followed by `size` random bytes, on disk for tuspy.
    func file(_ size: Int) throws -> (path: String, bytes: [UInt8]) {
        let bytes = try pngThenRandom(size)
        let url = server.directory.appendingPathComponent("upload-\(UUID().uuidString).png")
        try Data(bytes).write(to: url)
        return (url.path, bytes)
    }

    func sha256(_ bytes: [UInt8]) -> String {
        var hasher = DigestAlgorithm.sha256.makeHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize().hex
    }

    /// What the last PATCH's answer said the stored object's digests are.
    func digests(_ result: TusPy.Result) -> [String: String] {
        var out: [String: String] = [:]
        for item in (result.headers["sluice-digests"] ?? "").split(separator: ",") {
            let pair = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { out[String(pair[0])] = String(pair[1]) }
        }
        return out
    }

    /// The object the upload stored has the file's bytes, and nothing else is left of it.
    func expectStored(_ result: TusPy.Result, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(result.error == nil, "tuspy: \(result.error ?? "")", sourceLocation: sourceLocation)
        #expect(result.offset == bytes.count, sourceLocation: sourceLocation)
        let expected = sha256(bytes)
        #expect(digests(result)["sha256"] == expected, "the answer's digest is the file's: \(result.headers)", sourceLocation: sourceLocation)
        let key = try #require(result.headers["sluice-key"], sourceLocation: sourceLocation)
        #expect(key.hasPrefix(prefix), sourceLocation: sourceLocation)
        let (stored, info) = try await client.sha256(bucket: s3.bucket, key: key)
        #expect(stored == expected, "the stored object is the file", sourceLocation: sourceLocation)
        #expect(info.contentType == "image/png", sourceLocation: sourceLocation)
        #expect(result.headers["sluice-content-type"] == "image/png", sourceLocation: sourceLocation)
        #expect(try await recordLeft(result.id) == [], "the upload's record and pending bytes are gone", sourceLocation: sourceLocation)
    }

    /// The record and pending-bytes objects of upload `id` still in the bucket.
    func recordLeft(_ id: String) async throws -> [String] {
        try await client.keys(bucket: s3.bucket, prefix: ResumableUploadTests.recordPrefix + id)
    }

    func tus(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, on target: ServerProcess? = nil) async throws -> Answer {
        try await HTTP.request(
            (target ?? server).url + path, method: .init(rawValue: method), headers: [("Tus-Resumable", "1.0.0")] + headers, body: body.map { ByteBuffer(bytes: $0) })
    }

    /// POST: a new upload of `length` bytes on `route`; its path.
    func create(_ route: String = "/upload", length: Int?, name: String = "a.png", headers: [(String, String)] = [], on target: ServerProcess? = nil) async throws -> String {
        let size = length.map { [("Upload-Length", String($0))] } ?? [("Upload-Defer-Length", "1")]
        let metadata = "filename \(Data(name.utf8).base64EncodedString()),filetype \(Data("image/png".utf8).base64EncodedString())"
        let answer = try await tus("POST", route + "/tus", headers: size + [("Upload-Metadata", metadata)] + headers, on: target)
        #expect(answer.status == 201, "\(answer.body)")
        return try #require(answer.headers.first(name: "Location"))
    }

    func patch(_ path: String, offset: Int, _ bytes: some Collection<UInt8>, headers: [(String, String)] = [], on target: ServerProcess? = nil) async throws -> Answer {
        try await tus(
            "PATCH", path, headers: [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", String(offset))] + headers, body: Array(bytes),
            on: target)
    }

    /// HEAD's Upload-Offset, once the upload is no longer being written (a broken request
    /// saves what it received after the connection is gone).
    func settledOffset(_ path: String, atLeast: Int) async throws -> Int? {
        for _ in 0..<100 {
            let answer = try await tus("HEAD", path)
            if let offset = answer.headers.first(name: "Upload-Offset").flatMap(Int.init), offset >= atLeast { return offset }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    // MARK: - Clients

    @Test func tuspyUploadsAFileInOneRequest() async throws {
        let (path, bytes) = try file(12 * ResumableUploadTests.mib + 7)
        let result = try TusPy.upload(["endpoint": server.url + "/upload/tus", "file": path, "metadata": ["filename": "one.png", "filetype": "image/png"]])
        try await expectStored(result, bytes)
        #expect(digests(result)["sha1"] != nil && digests(result)["md5"] != nil)
    }

    @Test func tuspyUploadsInChunksStopsAndAnotherClientResumes() async throws {
        let (path, bytes) = try file(13 * ResumableUploadTests.mib)
        // Chunks that are not parts: every PATCH but one leaves pending bytes below a part.
        let first = try TusPy.upload([
            "endpoint": server.url + "/upload/tus", "file": path, "chunk_size": 3_000_001, "stop_at": 7 * ResumableUploadTests.mib + 5,
            "metadata": ["filename": "chunks.png", "filetype": "image/png"],
        ])
        #expect(first.error == nil && first.offset == 7 * ResumableUploadTests.mib + 5)
        let rest = try TusPy.upload(["endpoint": server.url + "/upload/tus", "url": first.url, "file": path, "chunk_size": 4_000_000, "checksum": true])
        try await expectStored(rest, bytes)
    }

    @Test func aBrokenConnectionKeepsWhatArrivedAndTuspyResumes() async throws {
        let (path, bytes) = try file(11 * ResumableUploadTests.mib)
        let location = try await create(length: bytes.count, name: "broken.png")
        // Half of a PATCH, across a part boundary, then the connection is gone.
        let sent = 5 * ResumableUploadTests.mib + 1000
        let connection = try stalledPatch(location, bytes, count: sent)
        try await Task.sleep(for: .milliseconds(300))
        connection.close()
        let kept = try await settledOffset(location, atLeast: sent)
        #expect(kept == sent, "every byte that arrived before the break is kept")
        let result = try TusPy.upload(["endpoint": server.url + "/upload/tus", "url": server.url + location, "file": path, "chunk_size": 2_500_000])
        try await expectStored(result, bytes)
    }

    @Test func anotherServerProcessTakesTheUploadAfterARestart() async throws {
        let (path, bytes) = try file(12 * ResumableUploadTests.mib)
        let other = try ResumableUploadTests.startServer(bucket: s3.bucket, prefix: prefix)
        // Stopped one byte short of a part, inside a part, on the other process.
        let first = try TusPy.upload([
            "endpoint": other.url + "/upload/tus", "file": path, "chunk_size": 2 * ResumableUploadTests.mib, "stop_at": 5 * ResumableUploadTests.mib - 1,
            "metadata": ["filename": "moved.png", "filetype": "image/png"],
        ])
        #expect(first.error == nil && first.offset == 5 * ResumableUploadTests.mib - 1)
        #expect(await other.stop() == 0)
        let path2 = String(first.url.dropFirst(other.url.count))
        let rest = try TusPy.upload(["endpoint": server.url + "/upload/tus", "url": server.url + path2, "file": path])
        try await expectStored(rest, bytes)
    }

    @Test func aTokenAuthorisesItsOwnUploadOnly() async throws {
        let now = Int(Date().timeIntervalSince1970)
        let token = try PyJWT.encode(["sub": "u1", "exp": now + 300, "jti": UUID().uuidString], key: ResumableUploadTests.secret)
        let other = try PyJWT.encode(["sub": "u2", "exp": now + 300, "jti": UUID().uuidString], key: ResumableUploadTests.secret)
        let (path, bytes) = try file(6 * ResumableUploadTests.mib)
        let first = try TusPy.upload([
            "endpoint": server.url + "/private/tus", "file": path, "stop_at": 3 * ResumableUploadTests.mib, "headers": ["Authorization": "Bearer \(token)"],
            "metadata": ["filename": "mine.png", "filetype": "image/png"],
        ])
        #expect(first.error == nil)
        let location = String(first.url.dropFirst(server.url.count))
        let stranger = try await tus("HEAD", location, headers: [("Authorization", "Bearer \(other)")])
        #expect(stranger.status == 403)
        let anonymous = try await tus("HEAD", location)
        #expect(anonymous.status == 401)
        // The single-use token was spent creating the upload; it still carries it to its end.
        let rest = try TusPy.upload(["endpoint": server.url + "/private/tus", "url": first.url, "file": path, "headers": ["Authorization": "Bearer \(token)"]])
        try await expectStored(rest, bytes)
        #expect(rest.headers["sluice-receipt"]?.split(separator: ".").count == 3, "the route's tokens have a secret: the last answer carries a signed receipt")
        let again = try await tus("POST", "/private/tus", headers: [("Authorization", "Bearer \(token)"), ("Upload-Length", "10")])
        #expect(again.status == 401, "a spent single-use token creates nothing more")
    }

    /// A PATCH that sends `count` of `bytes` from offset 0 and waits, its connection open.
    func stalledPatch(_ location: String, _ bytes: [UInt8], count: Int, on target: ServerProcess? = nil) throws -> RawHTTP {
        let connection = try RawHTTP(port: (target ?? server).port)
        connection.send(
            RawHTTP.head(
                "PATCH", location,
                [("Host", "127.0.0.1"), ("Tus-Resumable", "1.0.0"), ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0"),
                 ("Content-Length", String(bytes.count))]))
        _ = connection.send(Array(bytes[..<count]))
        return connection
    }

    @Test func aSecondPatchWhileOneIsWritingGets423() async throws {
        let bytes = try pngThenRandom(3 * ResumableUploadTests.mib)
        let location = try await create(length: bytes.count)
        let first = try stalledPatch(location, bytes, count: ResumableUploadTests.mib)
        try await Task.sleep(for: .milliseconds(300))
        let second = try await patch(location, offset: 0, bytes)
        #expect(second.status == 423 && second.headers.first(name: "Retry-After") != nil, "\(second.status) \(second.body)")
        first.close()
        #expect(try await settledOffset(location, atLeast: ResumableUploadTests.mib) == ResumableUploadTests.mib)
        let rest = try await patch(location, offset: ResumableUploadTests.mib, bytes[ResumableUploadTests.mib...])
        #expect(rest.status == 204)
        let key = try #require(rest.headers.first(name: "Sluice-Key"))
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha256(bytes))
    }

    @Test func aShutdownKeepsWhatAPatchInFlightReceived() async throws {
        let other = try ResumableUploadTests.startServer(bucket: s3.bucket, prefix: prefix, server: ", shutdownTimeout: 1")
        let bytes = try pngThenRandom(8 * ResumableUploadTests.mib)
        let location = try await create(length: bytes.count, on: other)
        let sent = 6 * ResumableUploadTests.mib + 10
        let connection = try stalledPatch(location, bytes, count: sent, on: other)
        try await Task.sleep(for: .milliseconds(500))
        #expect(await other.stop() == 0)
        connection.close()
        // This server takes the upload up where the stopped one saved it.
        #expect(try await settledOffset(location, atLeast: 1) == sent)
        let rest = try await patch(location, offset: sent, bytes[sent...])
        #expect(rest.status == 204, "\(rest.body)")
        let key = try #require(rest.headers.first(name: "Sluice-Key"))
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha256(bytes))
    }

    @Test(.enabled(
        if: ProcessInfo.processInfo.environment["SLUICE_TEST_S3_STRICT"] == "1",
        "the sweep lists keys under a prefix with a slash, which plain moto refuses when correctly signed; strict_moto and S3 take it"))
    func theServerRemovesExpiredUploads() async throws {
        let location = try await create("/brief", length: 900_000, name: "late.bin")
        let id = String(location.split(separator: "/").last!)
        #expect(try await patch(location, offset: 0, Array(buffer: try randomBytes(100_000))).status == 204)
        #expect(try await recordLeft(id).count == 2)
        // Nobody asks about it again: the sweep (every 5 s here) finds it past its 10 s.
        var left = try await recordLeft(id)
        for _ in 0..<40 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(500))
            left = try await recordLeft(id)
        }
        #expect(left == [], "the record and pending bytes of an expired upload are removed")
        #expect(try await tus("HEAD", location).status == 404)
    }

    @Test func brokenAnywhereOnTwoProcessesTheResultIsThatOfOneRequest() async throws {
        let other = try ResumableUploadTests.startServer(bucket: s3.bucket, prefix: prefix)
        let bytes = try pngThenRandom(11 * ResumableUploadTests.mib)
        // The same file in one plain request: what the resumed upload must equal.
        let plain = try await HTTP.request(server.url + "/upload/whole.png", method: .PUT, headers: [("Content-Type", "image/png")], body: ByteBuffer(bytes: bytes))
        let reference = try #require(plain.files.first, "\(plain.body)")
        // Inside magic's sniff window, on a part's edge, at a random offset, one byte before the end.
        var random = SeededRandom(seed: 18)
        let breaks = [37, 5 * ResumableUploadTests.mib, 5 * ResumableUploadTests.mib + 1 + Int(random.next() % UInt64(5 * ResumableUploadTests.mib)), bytes.count - 1]
        let location = try await create(length: bytes.count, name: "whole.png")
        var offset = 0
        var last: Answer?
        for (index, end) in (breaks + [bytes.count]).enumerated() {
            // Each request to the other process than the last.
            let target = index % 2 == 0 ? server : other
            last = try await tus(
                "PATCH", location, headers: [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", String(offset))], body: Array(bytes[offset..<end]),
                on: target)
            #expect(last?.status == 204 && last?.headers.first(name: "Upload-Offset") == String(end), "\(last?.body ?? "")")
            offset = end
        }
        let answer = try #require(last)
        let digests = (reference["digests"] as? [String: String]) ?? [:]
        #expect(!digests.isEmpty)
        let resumed = answer.headers.first(name: "Sluice-Digests") ?? ""
        for (algorithm, hex) in digests { #expect(resumed.contains("\(algorithm)=\(hex)"), "\(algorithm): \(resumed)") }
        let key = try #require(answer.headers.first(name: "Sluice-Key"))
        let (sha, info) = try await client.sha256(bucket: s3.bucket, key: key)
        #expect(sha == sha256(bytes) && digests["sha256"] == sha)
        #expect(info.contentType == reference["contentType"] as? String)
        #expect(info.contentDisposition == reference["contentDisposition"] as? String)
        _ = await other.stop()
    }

    @Test func aStorageFailureMidPatchLeavesAResumableStateAndNeverAWrongObject() async throws {
        // Part 2 fails more often than the client retries, in this PATCH and in its save.
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["PUT:partNumber=2:503:7"])
        let flaky = try serverBehind(proxy)
        let bytes = try pngThenRandom(12 * ResumableUploadTests.mib)
        let location = try await create(length: bytes.count, name: "flaky.png", on: flaky)
        let first = try await patch(location, offset: 0, bytes, on: flaky)
        #expect(first.status == 502, "\(first.body)\n\(flaky.log)")
        // A client goes on from what HEAD says, as often as it takes.
        var answer = first
        for _ in 0..<5 where answer.status != 204 {
            let head = try await tus("HEAD", location, on: flaky)
            let offset = try #require(head.headers.first(name: "Upload-Offset").flatMap(Int.init), "HEAD: \(head.status) \(head.body) \(first.body)\n\(flaky.log)")
            answer = try await patch(location, offset: offset, bytes[offset...], on: flaky)
        }
        #expect(answer.status == 204, "\(answer.body)")
        let key = try #require(answer.headers.first(name: "Sluice-Key"))
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha256(bytes))
        #expect(try await client.listMultipartUploads(bucket: s3.bucket).filter { $0.key.hasPrefix(prefix) }.isEmpty, "no multipart upload is left behind")
        _ = await flaky.stop()
    }

    @Test func aCompletionWhoseAnswerWasLostIsRecognisedWhenTheClientSendsTheEndAgain() async throws {
        // S3 stores the object on every try of CompleteMultipartUpload, and every answer is lost:
        // the PATCH fails. The client sends the end again to an S3 that has forgotten the upload.
        let proxy = try FaultProxy(upstream: s3.endpoint, rules: ["POST:uploadId=:lose:3"])
        let lossy = try serverBehind(proxy)
        let bytes = try pngThenRandom(11 * ResumableUploadTests.mib)
        let location = try await create(length: bytes.count, name: "lost.png", on: lossy)
        // Past the first part: the multipart upload is the record's, begun by an earlier request.
        let cut = 6 * ResumableUploadTests.mib
        #expect(try await patch(location, offset: 0, bytes[..<cut], on: lossy).status == 204)
        let first = try await patch(location, offset: cut, bytes[cut...], on: lossy)
        #expect(first.status == 502, "\(first.body)\n\(lossy.log)")
        let head = try await tus("HEAD", location, on: lossy)
        let offset = try #require(head.headers.first(name: "Upload-Offset").flatMap(Int.init), "HEAD: \(head.status) \(head.body)")
        #expect(offset == cut)
        let answer = try await patch(location, offset: offset, bytes[offset...], on: lossy)
        #expect(answer.status == 204, "\(answer.body)\n\(lossy.log)")
        let key = try #require(answer.headers.first(name: "Sluice-Key"))
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha256(bytes))
        #expect(try await client.listMultipartUploads(bucket: s3.bucket).filter { $0.key.hasPrefix(prefix) }.isEmpty, "no multipart upload is left behind")
        #expect(try await recordLeft(String(location.split(separator: "/").last!)) == [], "the upload's record and pending bytes are gone")
        _ = await lossy.stop()
    }

    // MARK: - Protocol

    @Test func discoveryAndRefusalsBeforeTheBody() async throws {
        let options = try await HTTP.request(server.url + "/upload/tus", method: .OPTIONS)
        #expect(options.status == 204)
        #expect(options.headers.first(name: "Tus-Version") == "1.0.0")
        #expect(options.headers.first(name: "Tus-Extension")?.contains("creation-with-upload") == true)
        #expect(options.headers.first(name: "Tus-Checksum-Algorithm") == "sha1,sha256,crc32")
        #expect(options.headers.first(name: "Tus-Max-Size") == String(64 * ResumableUploadTests.mib), "the route's maxRequestBytes bounds an upload")

        let noVersion = try await HTTP.request(server.url + "/upload/tus", method: .POST, headers: [("Upload-Length", "10")])
        #expect(noVersion.status == 412 && noVersion.headers.first(name: "Tus-Version") == "1.0.0")
        let tooLong = try await tus("POST", "/upload/tus", headers: [("Upload-Length", String(65 * ResumableUploadTests.mib))])
        #expect(tooLong.status == 413 && tooLong.json?["error"] as? String == "upload_too_large")
        let noLength = try await tus("POST", "/upload/tus")
        #expect(noLength.status == 400)
        let unknown = try await tus("HEAD", "/upload/tus/0123456789abcdef0123456789abcdef")
        #expect(unknown.status == 404)

        let location = try await create(length: 100)
        let wrongType = try await tus("PATCH", location, headers: [("Content-Type", "application/octet-stream"), ("Upload-Offset", "0")], body: [1, 2, 3])
        #expect(wrongType.status == 415)
        let encoded = try await tus(
            "PATCH", location, headers: [("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0"), ("Content-Encoding", "gzip")], body: [1, 2, 3])
        #expect(encoded.status == 415 && encoded.json?["error"] as? String == "unsupported_content_encoding")
        let wrongOffset = try await patch(location, offset: 5, [1, 2, 3])
        #expect(wrongOffset.status == 409)
        let get = try await tus("GET", location)
        #expect(get.status == 405)
        let head = try await tus("HEAD", location)
        #expect(head.status == 200 && head.headers.first(name: "Upload-Offset") == "0" && head.headers.first(name: "Upload-Length") == "100")
        #expect(head.headers.first(name: "Upload-Expires") != nil && head.headers.first(name: "Tus-Resumable") == "1.0.0")
        #expect(try await tus("DELETE", location).status == 204)
    }

    @Test func aPageFromAnAllowedOriginMaySpeakTus() async throws {
        let cors = try ResumableUploadTests.startServer(bucket: s3.bucket, prefix: prefix, server: ", cors: { allowOrigins: [\"http://app.test\"] }")
        let preflight = try await HTTP.request(
            cors.url + "/upload/tus/0123", method: .OPTIONS,
            headers: [("Origin", "http://app.test"), ("Access-Control-Request-Method", "PATCH"), ("Access-Control-Request-Headers", "tus-resumable, upload-offset, content-type")])
        #expect(preflight.status == 204)
        #expect(preflight.headers.first(name: "Access-Control-Allow-Methods")?.contains("PATCH") == true)
        #expect(preflight.headers.first(name: "Access-Control-Allow-Headers")?.contains("upload-offset") == true)
        let created = try await tus("POST", "/upload/tus", headers: [("Origin", "http://app.test"), ("Upload-Length", "10")], on: cors)
        #expect(created.status == 201)
        let exposed = created.headers.first(name: "Access-Control-Expose-Headers") ?? ""
        #expect(exposed.contains("location") && exposed.contains("upload-offset") && exposed.contains("sluice-digests"), "\(exposed)")
        let stranger = try await HTTP.request(
            cors.url + "/upload/tus", method: .OPTIONS, headers: [("Origin", "http://evil.test"), ("Access-Control-Request-Method", "PATCH")])
        #expect(stranger.status == 403)
        _ = await cors.stop()
    }

    @Test func aPatchThatAsksToContinueGets100BeforeItsBody() async throws {
        let png = try Fixtures.bytes("image.png")
        let location = try await create(length: png.count)
        let connection = try RawHTTP(port: server.port)
        connection.send(
            RawHTTP.head(
                "PATCH", location,
                [("Host", "127.0.0.1"), ("Tus-Resumable", "1.0.0"), ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", "0"),
                 ("Content-Length", String(png.count)), ("Expect", "100-continue")]))
        #expect(connection.read(interim: true).hasPrefix("HTTP/1.1 100"))
        _ = connection.send(png)
        let answer = try #require(RawResponse(connection.read()))
        #expect(answer.status == 204 && answer.headers["upload-offset"] == String(png.count), "\(answer.status) \(answer.body)")
    }

    /// More bytes than the upload's length has left: 413 before the body when Content-Length
    /// says so, and when it does not (chunked), once they come; the offset stays where it was.
    @Test func aPatchPastTheUploadsLengthIs413() async throws {
        let png = try Fixtures.bytes("image.png")
        let location = try await create(length: png.count)
        let half = png.count / 2
        #expect(try await patch(location, offset: 0, png[..<half]).status == 204)
        let connection = try RawHTTP(port: server.port)
        connection.send(
            RawHTTP.head(
                "PATCH", location,
                [("Host", "127.0.0.1"), ("Tus-Resumable", "1.0.0"), ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", String(half)),
                 ("Content-Length", String(png.count))]))
        // Not a byte of body sent: the answer comes anyway.
        let early = try #require(RawResponse(connection.read(timeout: .seconds(3))))
        #expect(early.status == 413 && early.json?["error"] as? String == "upload_too_large")
        #expect((early.json?["message"] as? String)?.contains("the upload's length") == true, "\(early.body)")
        let chunked = try RawHTTP(port: server.port)
        chunked.send(
            RawHTTP.head(
                "PATCH", location,
                [("Host", "127.0.0.1"), ("Tus-Resumable", "1.0.0"), ("Content-Type", "application/offset+octet-stream"), ("Upload-Offset", String(half)),
                 ("Transfer-Encoding", "chunked")]))
        chunked.send(String(png.count, radix: 16) + "\r\n")
        chunked.send(png)
        chunked.send("\r\n0\r\n\r\n")
        let late = try #require(RawResponse(chunked.read(timeout: .seconds(5))))
        #expect(late.status == 413 && late.json?["error"] as? String == "upload_too_large", "\(late.status) \(late.body)")
        #expect(try await tus("HEAD", location).headers.first(name: "Upload-Offset") == String(half))
        #expect(try await patch(location, offset: half, png[half...]).status == 204)
    }

    @Test func aChecksumMismatchDropsTheChunkAndKeepsTheOffset() async throws {
        let bytes = try pngThenRandom(300_000)
        let location = try await create(length: bytes.count)
        let first = Array(bytes[..<100_000])
        let good = try await patch(location, offset: 0, first, headers: [("Upload-Checksum", "sha256 \(Data([UInt8](hex: sha256(first))!).base64EncodedString())")])
        #expect(good.status == 204 && good.headers.first(name: "Upload-Offset") == "100000")
        let wrong = try await patch(location, offset: 100_000, bytes[100_000...], headers: [("Upload-Checksum", "sha256 \(Data([UInt8](hex: sha256(first))!).base64EncodedString())")])
        #expect(wrong.status == 460 && wrong.json?["error"] as? String == "checksum_mismatch")
        #expect(try await tus("HEAD", location).headers.first(name: "Upload-Offset") == "100000")
        let unsupported = try await patch(location, offset: 100_000, bytes[100_000...], headers: [("Upload-Checksum", "md5 AAAA")])
        #expect(unsupported.status == 400)
        let rest = try await patch(location, offset: 100_000, bytes[100_000...])
        #expect(rest.status == 204 && rest.headers.first(name: "Upload-Offset") == String(bytes.count))
        let key = try #require(rest.headers.first(name: "Sluice-Key"))
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha256(bytes))
    }

    @Test func creationWithUploadAndADeferredLength() async throws {
        let bytes = try pngThenRandom(6 * ResumableUploadTests.mib)
        let metadata = "filename \(Data("late.png".utf8).base64EncodedString())"
        let created = try await tus(
            "POST", "/upload/tus", headers: [("Upload-Defer-Length", "1"), ("Upload-Metadata", metadata), ("Content-Type", "application/offset+octet-stream")],
            body: Array(bytes[..<ResumableUploadTests.mib]))
        #expect(created.status == 201 && created.headers.first(name: "Upload-Offset") == String(ResumableUploadTests.mib))
        let location = try #require(created.headers.first(name: "Location"))
        #expect(try await tus("HEAD", location).headers.first(name: "Upload-Defer-Length") == "1")
        let rest = try await patch(location, offset: ResumableUploadTests.mib, bytes[ResumableUploadTests.mib...], headers: [("Upload-Length", String(bytes.count))])
        #expect(rest.status == 204, "\(rest.body)")
        let key = try #require(rest.headers.first(name: "Sluice-Key"))
        #expect(key.hasSuffix("/late.png"))
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha256(bytes))
    }

    @Test func crossingTheSizeLimitEndsTheUploadWithNothingLeft() async throws {
        let location = try await create("/small", length: nil, name: "big.bin")
        let id = String(location.split(separator: "/").last!)
        let first = try await patch(location, offset: 0, Array(buffer: try randomBytes(600_000)))
        #expect(first.status == 204)
        let over = try await patch(location, offset: 600_000, Array(buffer: try randomBytes(600_000)))
        #expect(over.status == 413 && over.json?["filter"] as? String == "size-limit", "\(over.body)")
        #expect(try await tus("HEAD", location).status == 404)
        #expect(try await recordLeft(id) == [])
        #expect(try await client.eventuallyNothingLeft(bucket: s3.bucket, prefix: prefix))
    }

    @Test func terminationAbortsTheMultipartUploadAndRemovesEveryTrace() async throws {
        let bytes = try pngThenRandom(7 * ResumableUploadTests.mib)
        let location = try await create(length: bytes.count + 100, name: "gone.png")
        let id = String(location.split(separator: "/").last!)
        #expect(try await patch(location, offset: 0, bytes).status == 204)
        #expect(try await recordLeft(id).count == 2, "the record and the bytes past the first part")
        #expect(try await client.listMultipartUploads(bucket: s3.bucket).contains { $0.key.hasPrefix(prefix) })
        #expect(try await tus("DELETE", location).status == 204)
        #expect(try await tus("HEAD", location).status == 404)
        #expect(try await recordLeft(id) == [])
        #expect(try await client.eventuallyNothingLeft(bucket: s3.bucket, prefix: prefix))
    }
}
