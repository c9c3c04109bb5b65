import Checksums
import Crypto
import Filters
import Foundation
import Multipart
import NIOCore
import S3
import Storage

// Prints one markdown row per case: what was measured, bytes per run, median MB/s of the runs,
// and, for the parser, the bare memmem scan over the same buffer beside it.
// usage: sluice-bench [--runs N] [--size-mib N]

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: Int) -> Int {
    arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil } ?? fallback
}
let runs = option("--runs", 5)
/// `--only TEXT`: run just the cases whose name contains TEXT (for profiling one).
let only = arguments.firstIndex(of: "--only").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
func selected(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }
let sizeMiB = option("--size-mib", 1024)
/// `--chunk-kib N`: the size of the pieces the body arrives in (a socket read; the server reads 128 KiB).
let chunk = option("--chunk-kib", 64) << 10

print("| in process (\(runs) runs, median) | bytes | MB/s | vs baseline |")
print("|---|---|---|---|")

// Runs on Swift's task pool (detached: top-level code is main-actor isolated, and the main thread
// is blocked) while the main thread waits on a semaphore: an async main would park
// it in dispatch_main's sigsuspend, which valgrind cannot run, and this program is for profiling.
let finished = DispatchSemaphore(value: 0)
Task.detached {
    do {
        try await benchmark()
    } catch {
        print("error: \(error)")
    }
    finished.signal()
}
finished.wait()

func benchmark() async throws {

// MARK: - Multipart parsing against a bare memmem scan

let boundary = "----WebKitFormBoundaryQ1x2Y3z4A5b6C7d8"
let delimiter = Array("\r\n--\(boundary)".utf8)

func randomBytes(_ count: Int) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.reserveCapacity(count)
    var generator = SystemRandomNumberGenerator()
    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { space in
        let words = space.bindMemory(to: UInt64.self)
        for i in 0..<(count / 8) { words[i] = generator.next() }
        return count / 8 * 8
    }
    return buffer
}

func body(parts: Int, partSize: Int) -> ByteBuffer {
    let content = randomBytes(partSize * Swift.min(parts, 4))
    var out = ByteBuffer()
    out.reserveCapacity(parts * (partSize + 200))
    for i in 0..<parts {
        out.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\(i)\"; filename=\"f\(i).bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        var slice = content.getSlice(at: (i % 4) * partSize, length: partSize)!
        out.writeBuffer(&slice)
        out.writeString("\r\n")
    }
    out.writeString("--\(boundary)--\r\n")
    return out
}

/// The body cut into `chunk`-sized buffers of their own, as a socket hands them out. (Slices of
/// one big buffer would not do: NIO copies any slice that begins past 16 MiB of its storage.)
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    typealias Failure = any Error
    let pieces: [ByteBuffer]
    let count: Int

    init(_ buffer: ByteBuffer) {
        var rest = buffer
        var pieces: [ByteBuffer] = []
        while rest.readableBytes > 0 {
            let length = Swift.min(chunk, rest.readableBytes)
            pieces.append(ByteBuffer(bytes: rest.readableBytesView.prefix(length)))
            rest.moveReaderIndex(forwardBy: length)
        }
        self.pieces = pieces
        self.count = buffer.readableBytes
    }

    func makeAsyncIterator() -> Iterator { Iterator(pieces: pieces) }
    struct Iterator: AsyncIteratorProtocol {
        let pieces: [ByteBuffer]
        var index = 0
        mutating func next() async throws -> ByteBuffer? {
            guard index < pieces.count else { return nil }
            defer { index += 1 }
            return pieces[index]
        }
    }
}

typealias MemmemFunction = @convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> UnsafeMutableRawPointer?
let memmem = unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memmem")!, to: MemmemFunction.self)

/// The baseline: memmem over the whole buffer, finding every delimiter.
func memmemScan(_ buffer: ByteBuffer) -> Int {
    buffer.withUnsafeReadableBytes { haystack in
        delimiter.withUnsafeBytes { needle in
            var found = 0, offset = 0
            while let hit = memmem(haystack.baseAddress! + offset, haystack.count - offset, needle.baseAddress, needle.count) {
                found += 1
                offset = haystack.baseAddress!.distance(to: UnsafeRawPointer(hit)) + needle.count
            }
            return found
        }
    }
}

/// The parser: `MultipartScanner` driven by a plain loop, as a channel handler would drive it.
/// Every part's name is read, as any consumer does.
func scan(_ chunks: Chunks) throws -> Int {
    var scanner = MultipartScanner(boundary: boundary)
    var pieces = chunks.pieces.makeIterator()
    var bytes = 0
    while true {
        switch try scanner.next() {
        case .part(let part): bytes &+= part.name.utf8.count
        case .body(let piece), .partEnd(let piece): bytes &+= piece.readableBytes
        case .end: return bytes
        case .needInput:
            if let piece = pieces.next() { scanner.receive(piece) } else { scanner.finish() }
        }
    }
}

/// The parser as the server uses it: `MultipartReader`, the scanner behind async calls (one
/// for a part's head, one per body piece, one for its end).
func read(_ chunks: Chunks) async throws -> Int {
    let reader = MultipartReader(boundary: boundary, source: chunks.makeAsyncIterator())
    var bytes = 0
    while let part = try await reader.nextPart() {
        bytes &+= part.name.utf8.count
        while let piece = try await reader.nextChunk() { bytes &+= piece.readableBytes }
    }
    return bytes
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Seconds one call of `body` takes.
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func measure(_ bytes: Int, _ body: () async throws -> Void) async rethrows -> Double {
    try await body()  // warm-up
    var rates: [Double] = []
    for _ in 0..<runs { rates.append(Double(bytes) / 1e6 / (try await seconds(body))) }
    return median(rates)
}

func row(_ name: String, _ bytes: Int, _ rate: Double, _ note: String = "") {
    print("| \(name) | \(ByteSize.format(Int64(bytes))) | \(String(format: "%.0f", rate)) | \(note) |")
}

// "multipart:" rows are the parser alone (the scanner); "multipart reader:" rows add the async
// reader's calls around it, as the server runs it. The baseline and the parsers run in turns,
// one of each per round, and the ratio is the median of each round's: this VM's speed drifts
// between seconds, and measuring all of one before the other moved the ratio by 20 points.
for (what, parts, size) in [("one \(sizeMiB) MiB part", 1, sizeMiB << 20), ("10,000 parts of 10 KiB", 10_000, 10 << 10)] where selected("multipart: \(what)") || selected("multipart reader: \(what)") {
    let input = body(parts: parts, partSize: size)
    let chunks = Chunks(input)
    let megabytes = Double(input.readableBytes) / 1e6
    var sink = 0
    let parsers: [(String, () async throws -> Void)] = [
        ("multipart: \(what)", { sink &+= try scan(chunks) }),
        ("multipart reader: \(what)", { sink &+= try await read(chunks) }),
    ].filter { selected($0.0) }
    var baseline: [Double] = [], rates = Array(repeating: [Double](), count: parsers.count), ratios = rates
    for round in 0...runs {
        let memmemTime = await seconds { sink &+= memmemScan(input) }
        for (index, parser) in parsers.enumerated() {
            let time = try await seconds(parser.1)
            // Round 0 warms up.
            if round > 0 {
                rates[index].append(megabytes / time)
                ratios[index].append(memmemTime / time)
            }
        }
        if round > 0 { baseline.append(megabytes / memmemTime) }
    }
    for (index, parser) in parsers.enumerated() {
        row(parser.0, input.readableBytes, median(rates[index]), String(format: "%.0f%% of memmem (%.0f MB/s)", 100 * median(ratios[index]), median(baseline)))
    }
    if sink == 42 { print("") }  // keep the work observable
}

// MARK: - Digests: libcrypto's (whose midstate a resumed upload carries) against swift-crypto's

// In turns, one of each per round, as the parsers above: the ratio is the median of the rounds'.
do {
    let pairs: [(String, () -> any StreamingDigest, () -> any StreamingDigest)] = [
        ("digest sha256: libcrypto", { DigestAlgorithm.sha256.makeHasher() }, { CryptoDigest<SHA256>() }),
        ("digest sha1: libcrypto", { DigestAlgorithm.sha1.makeHasher() }, { CryptoDigest<Insecure.SHA1>() }),
        ("digest md5: libcrypto", { DigestAlgorithm.md5.makeHasher() }, { CryptoDigest<Insecure.MD5>() }),
    ]
    let bytes = randomBytes(256 << 20)
    for (name, ours, theirs) in pairs where selected(name) {
        func rate(_ make: () -> any StreamingDigest) async -> Double {
            let elapsed = await seconds {
                var hasher = make()
                bytes.withUnsafeReadableBytes { all in
                    var offset = 0
                    while offset < all.count {
                        let end = Swift.min(all.count, offset + (64 << 10))
                        hasher.update(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                        offset = end
                    }
                }
                if hasher.finalize().first == 42 { print("", terminator: "") }
            }
            return Double(bytes.readableBytes) / 1e6 / elapsed
        }
        _ = await rate(ours)
        var mine: [Double] = [], reference: [Double] = [], ratios: [Double] = []
        for _ in 0..<runs {
            let a = await rate(ours), b = await rate(theirs)
            mine.append(a)
            reference.append(b)
            ratios.append(a / b)
        }
        row(name, bytes.readableBytes, median(mine), String(format: "%.0f%% of swift-crypto (%.0f MB/s)", 100 * median(ratios), median(reference)))
    }
}

// MARK: - Signing one small PutObject, as the S3 client does for every request

if selected("sigv4: sign one PutObject") {
    let signer = SigV4Signer(credentials: S3Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret"), region: "us-east-1")
    let request = SigV4Signer.Request(
        method: "PUT", path: "/uploads/3f0c9a52-5b1e-4c9e-9a57-2f1d0c7e8b11/doc.json",
        headers: [
            ("content-type", "application/json"), ("content-disposition", "attachment; filename=\"doc.json\""),
            ("x-amz-meta-sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
            ("x-amz-checksum-crc32", "AAAAAA=="), ("host", "127.0.0.1:9000"),
        ],
        payloadHash: SigV4Signer.unsignedPayload)
    let signatures = 20_000
    var times: [Double] = []
    var sink = 0
    for _ in 0...runs {
        times.append(await seconds { for _ in 0..<signatures { sink &+= signer.sign(request, date: Date()).count } } / Double(signatures))
    }
    let perSignature = median(Array(times.dropFirst()))
    precondition(sink > 0)
    row("sigv4: sign one PutObject", 0, 0, String(format: "%.2f us per signature, %d headers given", perSignature * 1e6, request.headers.count))
}

// MARK: - Each filter alone, and a chain

let filterCases = ["size-limit", "magic (64 KiB window)", "hash sha256", "hash md5", "hash sha1", "hash crc32", "hash crc32c", "gzip level 1 (text)", "gzip level 6 (text)", "chain: size-limit, magic, sha256"]
let sniffCases = ["10 KiB log text", "10 KiB C source", "JSON document", "50 KiB CSV", "64 KiB random bytes"].map { "magic, one upload: \($0)" }
guard filterCases.contains(where: selected) || sniffCases.contains(where: selected) else { return }
let data = Chunks(randomBytes(Swift.min(sizeMiB, 256) << 20))
/// Log lines: text of the kind gzip is configured for (base64 of random bytes would be nearly
/// incompressible and measure zlib's worst case instead).
func logText(_ size: Int) -> ByteBuffer {
    var text = ByteBuffer()
    text.reserveCapacity(size + 200)
    var rng = SystemRandomNumberGenerator()
    let paths = ["/api/items", "/api/users", "/static/app.js", "/upload", "/healthz"]
    while text.readableBytes < size {
        let id = rng.next() % 1_000_000, status = [200, 200, 201, 304, 404, 500][Int(rng.next() % 6)]
        text.writeString("2026-11-24T12:\(rng.next() % 60):\(rng.next() % 60)Z INFO request_id=\(String(rng.next(), radix: 16)) method=GET path=\(paths[Int(rng.next() % 5)])/\(id) status=\(status) bytes=\(rng.next() % 100_000) duration_ms=\(rng.next() % 900)\n")
    }
    text.moveWriterIndex(to: size)
    return text
}
let text = Chunks(logText(data.count))
let resources = FilterResources()
defer { resources.shutdown() }

func chain(_ steps: String) throws -> Chain {
    try FilterRegistry.standard.chain(named: "bench", yaml: steps, file: "bench.yaml")
}

func run(_ chain: Chain, _ input: Chunks, declared: String) async throws {
    _ = try await chain.run(Upload(declaredType: declared), from: input, into: DiscardSink(), key: "k", resources: resources)
}

let cases: [(String, String, Chunks, String)] = [
    ("size-limit", "- size-limit: { max: 10GiB }", data, "application/octet-stream"),
    ("magic (64 KiB window)", "- magic: {}", data, "application/octet-stream"),
    ("hash sha256", "- hash: { algorithms: [sha256] }", data, "application/octet-stream"),
    ("hash md5", "- hash: { algorithms: [md5] }", data, "application/octet-stream"),
    ("hash sha1", "- hash: { algorithms: [sha1] }", data, "application/octet-stream"),
    ("hash crc32", "- hash: { algorithms: [crc32] }", data, "application/octet-stream"),
    ("hash crc32c", "- hash: { algorithms: [crc32c] }", data, "application/octet-stream"),
    ("gzip level 1 (text)", "- magic: {}\n- gzip: { level: 1 }", text, "text/plain"),
    ("gzip level 6 (text)", "- magic: {}\n- gzip: { level: 6 }", text, "text/plain"),
    ("chain: size-limit, magic, sha256", "- size-limit: { max: 10GiB }\n- magic: {}\n- hash: { algorithms: [sha256] }", data, "application/octet-stream"),
]
for (name, steps, input, declared) in cases where selected(name) {
    let built = try chain(steps)
    let rate = try await measure(input.count) { try await run(built, input, declared: declared) }
    row(name, input.count, rate)
}

// MARK: - Sniffing small uploads: libmagic with the prefilter against its full analysis

let fullAnalysis = FilterResources(magicPrefilter: false)
defer { fullAnalysis.shutdown() }
let json = "{\"items\": [" + (0..<200).map { "{\"id\": \($0), \"name\": \"item \($0)\", \"tags\": [\"a\", \"b\"]}" }.joined(separator: ", ") + "]}"
let smallBodies: [(String, ByteBuffer, String)] = [
    ("10 KiB log text", logText(10 << 10), "text/plain"),
    ("10 KiB C source", ByteBuffer(string: String(String(repeating: "#include <stdio.h>\nstatic int f(int x) { return x * 2; }\n", count: 200).prefix(10 << 10))), "text/x-c"),
    ("JSON document", ByteBuffer(string: json), "application/json"),
    ("50 KiB CSV", ByteBuffer(string: String(("id,name,size,created\n" + (0..<2000).map { "\($0),file-\($0).txt,\($0 * 37 % 9000),2026-12-0\($0 % 9 + 1)\n" }.joined()).prefix(50 << 10))), "text/csv"),
    ("64 KiB random bytes", randomBytes(64 << 10), "application/octet-stream"),
]
let magicOnly = try chain("- magic: {}")
for (what, bytes, declared) in smallBodies where selected("magic, one upload: \(what)") {
    let input = Chunks(bytes)
    let uploads = 200
    // Turns of 200 uploads each way; per upload, the median turn's time.
    var prefiltered: [Double] = [], full: [Double] = []
    for _ in 0...runs {
        prefiltered.append(try await seconds { for _ in 0..<uploads { _ = try await magicOnly.run(Upload(declaredType: declared), from: input, into: DiscardSink(), key: "k", resources: resources) } } / Double(uploads))
        full.append(try await seconds { for _ in 0..<uploads { _ = try await magicOnly.run(Upload(declaredType: declared), from: input, into: DiscardSink(), key: "k", resources: fullAnalysis) } } / Double(uploads))
    }
    let (a, b) = (median(Array(prefiltered.dropFirst())), median(Array(full.dropFirst())))
    row("magic, one upload: \(what)", bytes.readableBytes, Double(bytes.readableBytes) / 1e6 / a,
        String(format: "%.0f us per upload; full analysis %.0f us (%.1fx)", a * 1e6, b * 1e6, b / a))
}
}
