import Filters
import Foundation
import NIOCore
import TestSupport

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

