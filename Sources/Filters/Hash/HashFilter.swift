import NIOCore

/// `hash`: digests of the bytes at its place in the chain (before `gzip`: the original; after
/// it: what is stored), as lowercase hex in the upload's digests.
public struct HashFilter: Filter {
    public let algorithms: [DigestAlgorithm]
    private var hashers: [any StreamingDigest]
    /// Hashing beside the reader, once the upload is past ``inlineBytes`` and a slot is free.
    private(set) var worker: DigestWorker?
    private let slots: DigestWorker.Slots?
    private var hashedInline = 0
    /// Bytes hashed on the reader's task before a worker takes over: a small upload is not
    /// worth a thread and two hand-offs per chunk.
    static let inlineBytes = 1 << 20

    public init(algorithms: [DigestAlgorithm]) {
        self.init(algorithms: algorithms, slots: .shared)
    }

    /// `slots`: the digest threads this filter may take one of (nil: always hash inline).
    init(algorithms: [DigestAlgorithm], slots: DigestWorker.Slots?) {
        self.algorithms = algorithms
        self.hashers = algorithms.map { $0.makeHasher() }
        self.slots = algorithms.contains(where: \.isWorthAThread) ? slots : nil
    }

    public mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        if worker == nil, hashedInline >= HashFilter.inlineBytes, let slots, slots.take() {
            worker = DigestWorker(hashers: hashers, slots: slots)
            hashers = []
        }
        if let worker {
            worker.submit(chunk)
            return chunk
        }
        chunk.withUnsafeReadableBytes { bytes in
            for i in hashers.indices { hashers[i].update(bytes) }
        }
        hashedInline += chunk.readableBytes
        return chunk
    }

    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        if let worker {
            hashers = worker.finish()
            self.worker = nil
        }
        for (algorithm, i) in zip(algorithms, hashers.indices) {
            upload.digests[algorithm.rawValue] = hashers[i].finalize().hex
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
        ) {
            HashFilter(algorithms: chosen)
        }
    }
}
