import NIOCore

extension Chain {
    /// The steps whose filter cannot save its state: a resumable route's chain must have none.
    public var stepsThatCannotResume: [String] { steps.filter { !$0.isResumable }.map(\.name) }

    /// A run taken up where `suspended` left off: fresh filters given their saved states.
    public func resume(_ suspended: SuspendedRun, resources: FilterResources) throws -> ChainRun {
        guard suspended.chain == name, suspended.steps.map(\.name) == steps.map(\.name) else {
            throw FilterStateError(
                "the upload was begun with chain `\(suspended.chain)` (\(suspended.steps.map(\.name).joined(separator: ", "))), not `\(name)` (\(steps.map(\.name).joined(separator: ", ")))")
        }
        var run = ChainRun(chain: self, upload: suspended.upload, resources: resources)
        try run.restore(suspended)
        return run
    }
}

extension ChainRun {
    /// Pauses between chunks: every filter drained in order (its output run through the steps
    /// after it), then every filter's state and the metadata so far. `output` is for the sink,
    /// before the state is kept. Throws if a step cannot save its state (see
    /// ``Chain/stepsThatCannotResume``).
    public mutating func suspend() throws -> (state: SuspendedRun, output: [ByteBuffer]) {
        if let name = chain.stepsThatCannotResume.first {
            throw FilterStateError("`\(name)` cannot save its state, so its uploads cannot be resumed")
        }
        var output: [ByteBuffer] = []
        for i in filters.indices {
            var drained: ByteBuffer?
            try step(i) { filter, upload in
                var resumable = filter as! any ResumableFilter
                drained = try resumable.drain(&upload)
                filter = resumable
            }
            if let drained = drained.nonEmpty, let out = try pass(drained, from: i + 1) {
                deliver(out)
                output.append(out)
            }
        }
        var saved: [SuspendedRun.Step] = []
        for i in filters.indices {
            var filter = filters[i] as! any ResumableFilter
            saved.append(SuspendedRun.Step(name: chain.steps[i].name, state: try filter.saveState()))
            filters[i] = filter
        }
        return (SuspendedRun(chain: chain.name, steps: saved, upload: upload, sealedHead: sealedHead), output)
    }

    mutating func restore(_ suspended: SuspendedRun) throws {
        for i in filters.indices {
            guard var filter = filters[i] as? any ResumableFilter else {
                throw FilterStateError("`\(chain.steps[i].name)` cannot save its state, so its uploads cannot be resumed")
            }
            try filter.restore(suspended.steps[i].state)
            filters[i] = filter
        }
        upload = suspended.upload
        sealedHead = suspended.sealedHead
    }
}
