/// A named, ordered list of filter steps. The upload's bytes pass through them in order and
/// then into a sink.
public struct Chain: Sendable {
    public let name: String
    public let steps: [FilterStep]

    /// Builds a chain, refusing orders that cannot work (see ``ChainOrderError``).
    public init(name: String, steps: [FilterStep]) throws(ChainOrderError) {
        try Chain.checkOrder(steps)
        self.name = name
        self.steps = steps
    }

    /// Whether a step changes the bytes (gzip): a declared length then says nothing of what is stored.
    public var transformsBytes: Bool { steps.contains { $0.traits.transformsBytes } }

    /// Fresh filters for one upload, sharing `resources` with the others.
    public func start(_ upload: Upload, resources: FilterResources) throws -> ChainRun {
        var run = ChainRun(chain: self, upload: upload, resources: resources)
        try run.begin()
        return run
    }

    private static func checkOrder(_ steps: [FilterStep]) throws(ChainOrderError) {
        // Sniffing compressed bytes is the most fundamental mistake: report it first.
        for (i, step) in steps.enumerated() where step.traits.needsOriginalBytes {
            if let transformer = steps[..<i].first(where: { $0.traits.transformsBytes }) {
                throw ChainOrderError(
                    step: i,
                    message: "`\(step.name)` must see the bytes as uploaded, but comes after `\(transformer.name)`, which transforms them: put `\(step.name)` first")
            }
        }
        for (i, step) in steps.enumerated() {
            for later in steps[(i + 1)...] {
                if let field = step.traits.reads.intersection(later.traits.writes).sorted(by: { $0.rawValue < $1.rawValue }).first {
                    throw ChainOrderError(
                        step: i,
                        message: "`\(step.name)` decides from the \(field.title), which `\(later.name)` sets later in the chain: put `\(later.name)` before `\(step.name)`")
                }
            }
            if let digest = step.traits.digests.first(where: { name in steps[..<i].contains { $0.traits.digests.contains(name) } }) {
                throw ChainOrderError(step: i, message: "`\(step.name)` computes \(digest), which an earlier step already computes: list it once")
            }
        }
    }
}

/// A chain whose order cannot work, e.g. `magic` after `gzip`.
public struct ChainOrderError: Error, Sendable, CustomStringConvertible {
    /// Index of the offending step.
    public var step: Int
    public var message: String
    public var description: String { message }
}

extension UploadField {
    var title: String {
        switch self {
        case .sniffedType: "sniffed type"
        case .contentType: "Content-Type"
        case .contentDisposition: "Content-Disposition"
        case .contentEncoding: "Content-Encoding"
        case .digests: "digests"
        }
    }
}
