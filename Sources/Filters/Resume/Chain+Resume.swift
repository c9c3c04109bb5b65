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
    /// Pauses between chunks: every filter's state and the metadata so far. Throws if a step
    /// cannot save its state (see ``Chain/stepsThatCannotResume``).
    public mutating func suspend() throws -> SuspendedRun {
        var saved: [SuspendedRun.Step] = []
        for i in filters.indices {
            let name = chain.steps[i].name
            guard var filter = filters[i] as? any ResumableFilter else {
                throw FilterStateError("`\(name)` cannot save its state, so its uploads cannot be resumed")
            }
            saved.append(SuspendedRun.Step(name: name, state: try filter.saveState()))
            filters[i] = filter
        }
        return SuspendedRun(chain: chain.name, steps: saved, upload: upload, sealedHead: sealedHead)
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
