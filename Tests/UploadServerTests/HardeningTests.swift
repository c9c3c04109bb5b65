import Checksums
import Filters
import S3
import Foundation
import NIOCore
import TestSupport
import Testing

/// What an attacker or a faulty client once did to the server (issue 15), each now a request
/// it answers: a claim cannot crash it or take its memory, a slow client cannot hold a slot or
/// starve other uploads, an answer cannot amplify memory, client text cannot forge a log line,
/// names are stored under keys and headers S3 takes, and `Connection: close` closes.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
final class HardeningTests {
    let s3 = S3TestEnvironment.current!
    let prefix = S3TestEnvironment.prefix()
    let client: S3Client

    init() throws {
        client = try s3.client()
    }

    deinit {
        let client = self.client
        Task { try? await client.shutdown() }
    }

    /// A server whose `server:` section adds `settings`, with routes for every case here.
    func start(_ settings: String = "") throws -> ServerProcess {
        try ServerProcess(yaml: """
            server: { host: 127.0.0.1, port: 0\(settings.isEmpty ? "" : ", " + settings) }
            storage: { type: s3, bucket: \(s3.bucket), partSize: 5MiB, keyTemplate: "\(prefix){uuid}/{filename}" }
            routes:
              - { path: /raw, chain: plain }
              - { path: /small, chain: plain }
              - { path: /gzipped, chain: gzipped }
              - { path: /strict, chain: strict }
              - { path: /named, chain: named }
            chains:
              plain: [hash]
              gzipped:
                - gzip: { level: 1, types: ["*/*"] }
                - size-limit: { max: 1GiB }
              strict:
                - size-limit: { max: 1MiB }
                - magic: { allow: [image/png] }
              named:
                - magic: {}
                - disposition: {}
            """)
    }

    func nothingLeft() async throws -> Bool { try await client.eventuallyNothingLeft(bucket: s3.bucket, prefix: prefix) }

    /// Deletes what a 201 stored.
    func remove(_ response: RawResponse) async throws {
        let files = (response.json?["files"] as? [[String: Any]]) ?? []
        for key in files.compactMap({ $0["key"] as? String }) { try await client.deleteObject(bucket: s3.bucket, key: key) }
    }

    /// A raw PUT's head.
    static func put(_ path: String, length: Int64, type: String = "application/octet-stream") -> String {
        RawHTTP.head("PUT", path, [("Content-Type", type), ("Content-Length", "\(length)")])
    }

    /// A small upload on another route, answered within `timeout` or not at all.
    func smallUpload(_ server: ServerProcess, timeout: Duration = .seconds(8)) throws -> RawResponse? {
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 27_000)
        let connection = try RawHTTP(port: server.port)
        connection.send(HardeningTests.put("/small/note.txt", length: Int64(body.count), type: "text/plain"))
        connection.send(body)
        return RawResponse(connection.read(timeout: timeout))
    }

    /// `count` PUTs that declare 20 MiB, send 1.5 MiB and stall, held open by the caller.
    func stall(_ count: Int, on server: ServerProcess, seed: UInt64) throws -> [RawHTTP] {
        var rng = SeededRandom(seed: seed)
        return try (0..<count).map { i in
            let connection = try RawHTTP(port: server.port)
            connection.send(HardeningTests.put("/raw/stalled-\(i).bin", length: 20 << 20))
            connection.send(rng.bytes(3 << 19))
            return connection
        }
    }

    // MARK: - 1. A declared length is a claim

    /// 40 TB declared on a route without a size limit once grew the part size past what a
    /// buffer holds and trapped before a byte arrived. Now: 413 at once, and where gzip makes
    /// the claim meaningless, a part no larger than memory allows.
    @Test func aHugeDeclaredLengthCannotCrashTheServer() async throws {
        let server = try start()
        let connection = try RawHTTP(port: server.port)
        connection.send(HardeningTests.put("/raw/huge.bin", length: 40 << 40))
        connection.send([UInt8](repeating: 7, count: 1000))
        let response = try #require(RawResponse(connection.read(timeout: .seconds(5))), "no answer to a 40 TB claim")
        #expect(response.status == 413)
        #expect(response.json?["error"] as? String == "too_large_for_storage")

        // Behind gzip the claim says nothing of what is stored: the upload starts, within memory.
        let gzipped = try RawHTTP(port: server.port)
        gzipped.send(HardeningTests.put("/gzipped/huge.log", length: 40 << 40, type: "text/plain"))
        var rng = SeededRandom(seed: 15)
        for _ in 0..<6 { gzipped.send(rng.bytes(1 << 20)) }
        try await Task.sleep(for: .milliseconds(500))
        #expect(server.isRunning)
        #expect(server.residentBytes < 200 << 20)
        gzipped.close()
        let small = try #require(try smallUpload(server))
        #expect(small.status == 201)
        try await remove(small)
        #expect(server.isRunning)
        let answer = try await HTTP.request(server.url + "/healthz")
        #expect(answer.status == 200)
        #expect(try await nothingLeft())
    }

    // MARK: - 2. Memory: stalled uploads hold what they sent; one that cannot start is refused

    /// Six uploads that send 1.5 MiB and stall, under a 16 MiB budget: each once held a whole
    /// 5 MiB part, and a 27 KB upload on another route waited with no answer.
    @Test func stalledUploadsCannotStarveOthers() async throws {
        let server = try start("maxBufferedBytes: 16MiB")
        var stalled = try stall(6, on: server, seed: 16)
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        let small = try #require(try smallUpload(server), "a small upload got no answer while others stalled")
        #expect(small.status == 201)
        #expect(ContinuousClock.now - started < .seconds(5))
        try await remove(small)
        stalled.removeAll()
        #expect(try await nothingLeft())
    }

    /// When stalled uploads do hold all of it, a new upload is told so (503 with Retry-After)
    /// within `memoryWaitTimeout`, rather than waiting for good.
    @Test func anUploadThatCannotStartIsRefusedInTime() async throws {
        let server = try start("maxBufferedBytes: 16MiB, memoryWaitTimeout: 2")
        var stalled = try stall(8, on: server, seed: 17)
        try await Task.sleep(for: .milliseconds(500))
        let started = ContinuousClock.now
        let refused = try #require(try smallUpload(server), "no answer while memory was spent")
        #expect(refused.status == 503)
        #expect(refused.json?["error"] as? String == "overloaded")
        #expect(refused.headers["retry-after"] != nil)
        #expect(ContinuousClock.now - started >= .seconds(2))
        #expect(ContinuousClock.now - started < .seconds(6))
        stalled.removeAll()
        try await Task.sleep(for: .milliseconds(500))
        let later = try #require(try smallUpload(server))
        #expect(later.status == 201)
        try await remove(later)
        #expect(try await nothingLeft())
    }

    // MARK: - 3. The answer

    /// Fields of control bytes, which JSON escapes six times over: refused once what the
    /// answer would echo passes `maxFieldsBytes` (a 6.4 MiB form once got a 38 MiB answer).
    @Test func theAnswerCannotAmplifyTheFields() async throws {
        let server = try start()
        let png = try Fixtures.bytes("image.png")
        let fields = (0..<5).map { FormBody.Part(name: "f\($0)", body: [UInt8](repeating: 1, count: 60 << 10)) }
        let answer = try await HTTP.post(server.url + "/small", form: FormBody(parts: fields + [.init(name: "file", filename: "p.png", body: png)]))
        #expect(answer.status == 413)
        #expect(answer.json?["error"] as? String == "fields_too_large")
        #expect(try await nothingLeft())
    }

    /// Ten clients that send the largest form the defaults allow and never read the answer:
    /// once 38 MiB each in the server's memory.
    @Test func unreadAnswersDoNotPileUp() async throws {
        let server = try start()
        try await Task.sleep(for: .milliseconds(300))
        let before = server.residentBytes
        let png = try Fixtures.bytes("image.png")
        let fields = (0..<100).map { FormBody.Part(name: "f\($0)", body: [UInt8](repeating: 1, count: 64 << 10)) }
        let form = FormBody(parts: [.init(name: "file", filename: "p.png", body: png)] + fields)
        let body = form.bytes
        var connections: [RawHTTP] = []
        for _ in 0..<10 {
            let connection = try RawHTTP(port: server.port)
            connection.send(RawHTTP.head("POST", "/small", [("Content-Type", form.contentType), ("Content-Length", "\(body.count)")]))
            connection.send(body)
            connections.append(connection)
        }
        try await Task.sleep(for: .seconds(2))
        let grown = server.residentBytes - before
        #expect(grown < 60 << 20, "unread answers grew the server by \(grown >> 20) MiB")
        connections.removeAll()
        #expect(try await nothingLeft())
    }

    // MARK: - 4. Log lines

    /// CR LF in a decoded PUT path and in a `filename*` once started log lines of their own
    /// that read like a stored upload's.
    @Test func clientTextCannotForgeALogLine() async throws {
        let server = try start()
        let forged = "info sluice: outcome=stored status=201 FORGED"
        let encoded = forged.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let put = try await HTTP.request(
            server.url + "/strict/a%0D%0A\(encoded).txt", method: .PUT, headers: [("Content-Type", "text/plain")], body: ByteBuffer(string: "not a picture"))
        #expect(put.status == 415)
        // A part's filename* is percent-decoded: what a client puts there is any byte at all.
        let boundary = "b0undary"
        let body =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''b%0D%0A\(encoded).txt\r\nContent-Type: text/plain\r\n\r\nnot a picture\r\n--\(boundary)--\r\n"
        let posted = try await HTTP.request(
            server.url + "/strict", method: .POST, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: ByteBuffer(string: body))
        #expect(posted.status == 415)
        for _ in 0..<50 where server.log.components(separatedBy: "FORGED").count < 3 { try await Task.sleep(for: .milliseconds(100)) }
        let lines = server.log.split(separator: "\n")
        #expect(lines.filter { $0.contains("FORGED") }.count == 2)
        for line in lines {
            #expect(!line.hasPrefix("info sluice"), "a forged line: \(line)")
            if line.contains("FORGED") { #expect(line.contains("\\x0D\\x0A")) }
        }
    }

    // MARK: - 5. Names S3 takes

    /// A 1,100-character extension once gave a 1,138-byte key, and a long filename a 12 KB
    /// Content-Disposition: S3 refused both after the bytes had arrived (502).
    @Test(arguments: ["a." + String(repeating: "x", count: 1100), String(repeating: "é", count: 5000) + ".png", String(repeating: "\"", count: 4000)])
    func longNamesAreStoredUnderValidNames(filename: String) async throws {
        let server = try start()
        let png = try Fixtures.bytes("image.png")
        let answer = try await HTTP.post(server.url + "/named", form: FormBody(parts: [.init(name: "file", filename: filename, body: png)]))
        #expect(answer.status == 201, "\(answer.body)")
        let key = try #require(answer.files.first?["key"] as? String)
        #expect(key.utf8.count <= 1024)
        let info = try await client.headObject(bucket: s3.bucket, key: key)
        #expect((info.contentDisposition?.utf8.count ?? 0) <= 2048)
        try await client.deleteObject(bucket: s3.bucket, key: key)
    }

    // MARK: - 6. Connection: close

    /// Sluice's own 404 and 405 say `Connection: close`: a request pipelined behind them is
    /// not served, and the connection closes.
    @Test(arguments: ["POST /nothing-here HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "GET /raw HTTP/1.1\r\nHost: x\r\n\r\n"])
    func connectionCloseIsHonoured(first: String) throws {
        let server = try start()
        let connection = try RawHTTP(port: server.port)
        connection.send(first + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let (text, closed) = connection.readToClose(timeout: .seconds(5))
        let response = try #require(RawResponse(text))
        #expect([404, 405].contains(response.status))
        #expect(response.headers["connection"] == "close")
        #expect(text.components(separatedBy: "HTTP/1.1 ").count == 2, "a pipelined request was served after Connection: close:\n\(text)")
        #expect(closed)
    }

    /// Clients that reset right after a head with `Expect: 100-continue` (found by the soak:
    /// a failed "100 Continue" once left the upload counted in flight forever).
    @Test func aClientGoneBeforeItsBodyIsStillCounted() async throws {
        let server = try start()
        for i in 0..<20 {
            let connection = try RawHTTP(port: server.port)
            connection.send(RawHTTP.head("PUT", "/raw/gone-\(i).bin", [("Content-Length", "1000"), ("Expect", "100-continue")]))
            connection.reset()
        }
        // The gauge, not /healthz: the slot was always freed, the gauge was what leaked.
        var gauge: Double?
        for _ in 0..<50 {
            let metrics = try await HTTP.request(server.url + "/metrics").body
            gauge = metrics.split(separator: "\n").first { $0.hasPrefix("sluice_uploads_in_flight ") }.flatMap { Double($0.split(separator: " ")[1]) }
            if gauge == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(gauge == 0)
        #expect(try await nothingLeft())
    }

    // MARK: - 7. Slow clients and one client's share

    /// A client that asks and asks and never reads the answers: once the answers fill the
    /// connection's buffers, the one waiting is sent no longer than `sendTimeout` (plus the
    /// watchdog's second) before the connection is closed.
    @Test func aClientThatNeverReadsIsCutOff() async throws {
        let server = try start("sendTimeout: 1")
        let connection = try RawHTTP(port: server.port)
        let asked = 3000
        let started = ContinuousClock.now
        connection.send(String(repeating: "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", count: asked))
        // The buffers hold about a thousand answers of the page: full within a second or two
        // even on a busy machine, then 1 s of sendTimeout and up to 1 s to the sweep.
        try await Task.sleep(for: .seconds(6))
        let (text, closed) = connection.readToClose(timeout: .seconds(20))
        let answered = text.components(separatedBy: "HTTP/1.1 200").count - 1
        #expect(closed, "the connection was still open after \(ContinuousClock.now - started)")
        #expect(answered > 0 && answered < asked, "\(answered) answers of \(asked) were sent")
        let health = try await HTTP.request(server.url + "/healthz")
        #expect(health.status == 200)
    }

    /// One byte a second keeps the idle timeout from firing but not the minimum rate: 408,
    /// the slot freed, nothing stored.
    @Test func aTricklingClientLosesItsSlot() async throws {
        let server = try start("minReceiveRate: 1KiB, receiveGracePeriod: 2")
        let connection = try RawHTTP(port: server.port)
        connection.send(HardeningTests.put("/raw/trickle.bin", length: 1 << 20))
        connection.send([UInt8](repeating: 1, count: 10))
        var answer = ""
        let started = ContinuousClock.now
        while answer.isEmpty, ContinuousClock.now - started < .seconds(12) {
            connection.send([1])
            answer = connection.read(timeout: .seconds(1))
        }
        let response = try #require(RawResponse(answer), "the trickling client kept its slot")
        #expect(response.status == 408)
        #expect(response.json?["error"] as? String == "request_too_slow")
        #expect(ContinuousClock.now - started < .seconds(8))
        let health = try await HTTP.request(server.url + "/healthz")
        #expect(health.json?["uploadsInFlight"] as? Int == 0)
        #expect(try await nothingLeft())
        for _ in 0..<30 where !server.log.contains("outcome=too_slow") { try await Task.sleep(for: .milliseconds(100)) }
        #expect(server.log.contains("outcome=too_slow"))
    }

    /// A client address may hold `maxUploadsPerClient` slots; the next gets 429 at once.
    @Test func oneClientCannotTakeEverySlot() async throws {
        let server = try start("maxUploadsPerClient: 2")
        var holders: [RawHTTP] = []
        for i in 0..<2 {
            let connection = try RawHTTP(port: server.port)
            connection.send(HardeningTests.put("/raw/held-\(i).bin", length: 1 << 20))
            holders.append(connection)
        }
        try await Task.sleep(for: .milliseconds(300))
        let refused = try #require(try smallUpload(server, timeout: .seconds(3)))
        #expect(refused.status == 429)
        #expect(refused.json?["error"] as? String == "too_many_uploads")
        #expect(refused.headers["retry-after"] != nil)
        holders.removeAll()
        try await Task.sleep(for: .milliseconds(300))
        let later = try #require(try smallUpload(server))
        #expect(later.status == 201)
        try await remove(later)
        #expect(try await nothingLeft())
    }

    /// Open connections cost memory whatever is sent on them: past a limit, in all or from one
    /// address, a new one is closed as it is accepted, and the ones held go on being answered.
    @Test(arguments: [
        ("maxConnectionsPerClient: 8, maxUploadsPerClient: 2", "client_full"),
        ("maxConnections: 8, maxConcurrentUploads: 2, maxConnectionsPerClient: 0", "server_full"),
    ])
    func connectionsCannotPileUp(settings: String, limit: String) async throws {
        let server = try start(settings)
        var held: [RawHTTP] = []
        for _ in 0..<8 { held.append(try RawHTTP(port: server.port)) }
        held[0].send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(RawResponse(held[0].read(timeout: .seconds(5)))?.status == 200, "the connections held are served")
        let over = try RawHTTP(port: server.port)
        #expect(over.closedByServer(timeout: .seconds(5)), "a ninth connection was kept open")
        held.removeLast(2)
        try await Task.sleep(for: .milliseconds(300))
        let metrics = try RawHTTP(port: server.port)
        metrics.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answer = metrics.readToClose(timeout: .seconds(5)).text
        #expect(answer.hasPrefix("HTTP/1.1 200"), "a connection closed made room for another")
        #expect(answer.contains("sluice_connections_refused_total{limit=\"\(limit)\"} 1"), "\(answer.suffix(2000))")
    }

    /// Out of file descriptors, every accept fails: the waiting connection kept the listening
    /// socket readable and a core spun on failed accepts for as long as the descriptors stayed
    /// taken. Now accepting pauses a second at a time, and resumes once descriptors are free.
    @Test func runningOutOfDescriptorsDoesNotSpin() async throws {
        let server = try start()
        let pid = server.process.processIdentifier
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        let lowered = try runProcess("/usr/bin/prlimit", ["--pid", "\(pid)", "--nofile=\(open + 4):\(open + 4)"])
        try #require(lowered.status == 0, "prlimit (util-linux): \(lowered.stderr)")
        var held: [RawHTTP] = []
        for _ in 0..<12 { held.append(try RawHTTP(port: server.port)) }
        try await Task.sleep(for: .milliseconds(500))
        // The server's own CPU over two seconds: spinning takes most of a core, pausing nothing.
        func ticks() throws -> Int {
            let fields = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8).split(separator: ")").last!.split(separator: " ")
            return Int(fields[11])! + Int(fields[12])!
        }
        let before = try ticks()
        try await Task.sleep(for: .seconds(2))
        let spent = try ticks() - before
        #expect(spent < 50, "the server took \(spent) clock ticks in 2 s with every descriptor taken")
        held.removeAll()
        let health = try RawHTTP(port: server.port)
        health.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(RawResponse(health.read(timeout: .seconds(5)))?.status == 200, "accepting did not resume")
    }

    /// Started with a soft limit of 300 descriptors (the hard one higher), the server raises it to
    /// what `maxConnections` needs, 1,024 + 256; started with a hard limit below that, it says so.
    @Test func theDescriptorLimitIsRaisedToWhatTheConnectionsNeed() async throws {
        func softLimit(_ server: ServerProcess) throws -> Int? {
            let limits = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/limits", encoding: .utf8)
            let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }
            return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[3]) }
        }
        let roomy = try ServerProcess(yaml: "server: { host: 127.0.0.1, port: 0 }\nstorage: { type: discard }\nroutes: [{ path: /up, chain: c }]\nchains: { c: [hash] }\n", launcher: ["/usr/bin/prlimit", "--nofile=300:8192"])
        #expect(try softLimit(roomy) == 1280)
        #expect(!roomy.log.contains("ulimit -n"))
        let tight = try ServerProcess(yaml: "server: { host: 127.0.0.1, port: 0 }\nstorage: { type: discard }\nroutes: [{ path: /up, chain: c }]\nchains: { c: [hash] }\n", launcher: ["/usr/bin/prlimit", "--nofile=300:600"])
        #expect(try softLimit(tight) == 600)
        #expect(tight.log.contains("the process may open 600 files (ulimit -n), fewer than maxConnections needs (1280)"), "\(tight.log)")
    }
}
