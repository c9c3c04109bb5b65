import Filters
import Foundation
import NIOCore

/// Helpers shared by the tests.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// An ELF executable from the system itself.
    static func elf() throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: "/bin/true"))) }
}

/// Ways of cutting a byte stream into chunks; results must not depend on the choice.
enum Chunking: CustomStringConvertible, CaseIterable {
    case whole, single, random

    func split(_ bytes: [UInt8], seed: UInt64 = 42) -> [ByteBuffer] {
        switch self {
        case .whole:
            return [ByteBuffer(bytes: bytes)]
        case .single:
            return bytes.map { ByteBuffer(bytes: [$0]) }
        case .random:
            var rng = SeededRandom(seed: seed)
            var chunks: [ByteBuffer] = []
            var i = 0
            while i < bytes.count {
                let n = Swift.min(bytes.count - i, Int(rng.next() % 9000) + 1)
                chunks.append(ByteBuffer(bytes: bytes[i..<(i + n)]))
                i += n
            }
            return chunks
        }
    }

    var description: String {
        switch self {
        case .whole: "one chunk"
        case .single: "1-byte chunks"
        case .random: "random chunks"
        }
    }
}

/// Deterministic random numbers (SplitMix64), so a failure can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            var word = next()
            for _ in 0..<Swift.min(8, count - out.count) {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return out
    }
}

/// Chunks handed out in order, counting how many were pulled.
final class Chunks: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer
    typealias Failure = any Error
    let chunks: [ByteBuffer]
    private(set) var pulled = 0

    init(_ chunks: [ByteBuffer]) { self.chunks = chunks }

    func makeAsyncIterator() -> Iterator { Iterator(owner: self) }

    struct Iterator: AsyncIteratorProtocol {
        let owner: Chunks
        mutating func next() async throws -> ByteBuffer? {
            guard owner.pulled < owner.chunks.count else { return nil }
            defer { owner.pulled += 1 }
            return owner.chunks[owner.pulled]
        }
    }
}

/// One upload's full result, comparable across chunkings.
struct RunResult: Equatable {
    var rejection: Rejection?
    var output: [UInt8]
    var upload: Upload

    /// Equal verdict, stored bytes, metadata and digests. For a rejected upload the counts are
    /// left out: how much was read before the refusal depends on where the chunks end.
    static func == (a: RunResult, b: RunResult) -> Bool {
        guard a.rejection == b.rejection, a.output == b.output else { return false }
        if a.rejection == nil { return a.upload == b.upload }
        var x = a.upload, y = b.upload
        (x.bytesIn, x.bytesOut, y.bytesIn, y.bytesOut) = (0, 0, 0, 0)
        return x == y
    }
}

extension Chain {
    /// Builds a one-chain config from YAML steps, e.g. `- size-limit: { max: 10 }`.
    static func from(_ steps: String, registry: FilterRegistry = .standard) throws -> Chain {
        let yaml = "chains:\n  test:\n" + steps.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        return try SluiceConfig.parse(yaml: yaml, file: "test.yaml", registry: registry).chains[0]
    }

    /// Runs `bytes` cut by `chunking` into a memory sink.
    func run(_ bytes: [UInt8], chunking: Chunking = .whole, upload: Upload = Upload()) async throws -> RunResult {
        let sink = MemorySink()
        let outcome = try await run(upload, from: Chunks(chunking.split(bytes)), into: sink, key: "k")
        let stored = sink["k"].map { Array($0.bytes.readableBytesView) } ?? []
        return RunResult(rejection: outcome.report.rejection, output: stored, upload: outcome.report.upload)
    }

    /// Runs `bytes` every way of chunking and checks that all give the same result; returns it.
    func runAllChunkings(_ bytes: [UInt8], upload: Upload = Upload()) async throws -> (RunResult, [Chunking: RunResult]) {
        var results: [Chunking: RunResult] = [:]
        for chunking in Chunking.allCases {
            results[chunking] = try await run(bytes, chunking: chunking, upload: upload)
        }
        return (results[.whole]!, results)
    }
}

/// gunzip through the system's gzip, which also checks the stream (`gzip -t` semantics).
func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-gz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("data.gz")
    try Data(bytes).write(to: file)
    let test = try runProcess("/bin/gzip", ["-t", file.path])
    guard test.status == 0 else { throw GzipCheckFailed(message: "gzip -t: \(test.stderr)") }
    let out = try runProcess("/bin/gzip", ["-dc", file.path])
    return out.stdout
}

struct GzipCheckFailed: Error { var message: String }

struct ProcessResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program to completion, collecting its output.
func runProcess(_ path: String, _ arguments: [String], directory: String? = nil, environment: [String: String]? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a chatty child cannot fill a pipe and stall.
    let errData = LockedData()
    let errReader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    errReader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return ProcessResult(status: process.terminationStatus, stdout: [UInt8](outData), stderr: String(decoding: errData.value, as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false
    func set(_ value: Data) { lock.lock(); data = value; done = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return done }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data }
}
