import Filters
import Foundation
import NIOCore

extension FilterResources {
    /// One set of helper threads and magic handles for a whole test process, as a server has.
    public static let forTests = FilterResources()
}

extension Chain {
    /// `run(_:from:into:key:resources:)` with the tests' shared resources.
    public func run<Source: AsyncSequence<ByteBuffer, any Error>>(
        _ upload: Upload, from source: Source, into sink: some Sink, key: String
    ) async throws -> Outcome {
        try await run(upload, from: source, into: sink, key: key, resources: .forTests)
    }
}

extension Chain {
    /// Builds a chain from YAML steps, e.g. `- size-limit: { max: 10 }`.
    public static func from(_ steps: String, registry: FilterRegistry = .standard) throws -> Chain {
        try registry.chain(named: "test", yaml: steps, file: "test.yaml")
    }

    /// The chain and what `filterctl validate` would point out about it.
    public static func withWarnings(_ steps: String, registry: FilterRegistry = .standard) throws -> (chain: Chain, warnings: [ConfigError]) {
        guard let node = try ConfigNode.parse(yaml: steps, file: "test.yaml", path: "test") else { throw ConfigError(file: "test.yaml", line: nil, key: nil, message: "empty") }
        return try registry.chain(named: "test", node)
    }
}

extension ChainOutput {
    /// A chain's output over `source` with the tests' shared resources.
    public init<Source: AsyncSequence<ByteBuffer, any Error>>(chain: Chain, upload: Upload, source: Source) throws {
        try self.init(chain: chain, upload: upload, source: source, resources: .forTests)
    }
}

extension HelperThreads {
    /// Waits up to 5 s for every helper to be free: a helper counts as busy until its thread has
    /// left the work, a moment after the filter that waited on it has its result.
    public func settle() -> Bool {
        for _ in 0..<5_000 {
            if busyCount == 0 { return true }
            usleep(1_000)
        }
        return busyCount == 0
    }
}
