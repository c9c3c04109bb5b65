import Filters
import Foundation
import NIOCore
import TestSupport

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

