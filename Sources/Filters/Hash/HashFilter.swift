import Checksums
import NIOCore

/// `hash`: digests of the bytes at its place in the chain (before `gzip`: the original; after
/// it: what is stored), as lowercase hex in the upload's digests.
public struct HashFilter: Filter {
    public let algorithms: [DigestAlgorithm]
    /// One per algorithm, in its order; nil while that algorithm is on a digest thread.
    var hashers: [(any ResumableDigest)?]
    /// Digest threads beside the reader, one per slow algorithm (SHA-256, SHA-1, MD5) once the
    /// upload is past ``inlineBytes`` and a slot is free, with the index of its algorithm: two
    /// on one thread run in series (docs/PERFORMANCE.md).
    var workers: [(index: Int, worker: DigestWorker)] = []
    private let helpers: HelperThreads?
    private var hashedInline = 0
    /// Bytes hashed on the reader's task before a worker takes over: a small upload is not
    /// worth a thread and two hand-offs per chunk.
    static let inlineBytes = 1 << 20

    /// `helpers`: the threads this filter may hash on (nil: always on the upload's task).
    public init(algorithms: [DigestAlgorithm], helpers: HelperThreads?) {
        self.algorithms = algorithms
        self.hashers = algorithms.map { $0.makeHasher() }
        self.helpers = algorithms.contains(where: \.isWorthAThread) ? helpers : nil
    }

    public mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        if hashedInline >= HashFilter.inlineBytes, let helpers { handOver(to: helpers) }
        for (_, worker) in workers { worker.submit(chunk) }
        guard hashers.contains(where: { $0 != nil }) else { return chunk }
        chunk.withUnsafeReadableBytes { bytes in
            for i in hashers.indices where hashers[i] != nil { hashers[i]!.update(bytes) }
        }
        hashedInline += chunk.readableBytes
        return chunk
    }

    /// Waits for the helpers to hash what they were given and takes their hashers back.
    mutating func takeBackFromWorkers() {
        for (index, worker) in workers { hashers[index] = worker.finish().first }
        workers = []
    }

    /// Moves each slow algorithm still hashed inline to a helper of its own, while helpers are free.
    private mutating func handOver(to helpers: HelperThreads) {
        for i in hashers.indices where hashers[i] != nil && algorithms[i].isWorthAThread {
            guard let worker = DigestWorker(hashers: [hashers[i]!], helpers: helpers) else { return }
            workers.append((i, worker))
            hashers[i] = nil
        }
    }

    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        takeBackFromWorkers()
        for (algorithm, i) in zip(algorithms, hashers.indices) {
            upload.digests[algorithm.rawValue] = hashers[i]!.finalize().hex
        }
        return nil
    }
}

extension HashFilter {
    static let definition = FilterDefinition(
        name: "hash",
        summary: "Computes digests of the bytes at its place in the chain (before gzip: the original; after it: what is stored).",
        options: [
            .init("algorithms", "list of sha256, sha1, md5, crc32, crc32c", default: "[sha256]", "Digests to compute, reported as lowercase hex.")
        ]
    ) { options throws(ConfigError) in
        let names = try options.strings("algorithms") ?? ["sha256"]
        var algorithms: [DigestAlgorithm] = []
        for name in names {
            guard let algorithm = DigestAlgorithm(rawValue: name.lowercased()) else {
                let known = DigestAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
                throw options.error("algorithms", "unknown algorithm \"\(name)\"; known: \(known)")
            }
            guard !algorithms.contains(algorithm) else { throw options.error("algorithms", "\(name) is listed twice") }
            algorithms.append(algorithm)
        }
        guard !algorithms.isEmpty else { throw options.error("algorithms", "list at least one algorithm") }
        let chosen = algorithms
        return FilterStep(
            name: "hash", traits: FilterTraits(writes: [.digests], digests: chosen.map(\.rawValue)),
            summary: chosen.map(\.rawValue).joined(separator: ", ")
        ) { context in
            HashFilter(algorithms: chosen, helpers: context.resources.helperThreads)
        }
    }
}
