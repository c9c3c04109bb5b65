import Checksums

extension HashFilter: ResumableFilter {
    /// Version 1: each algorithm's name and midstate, in the configured order. Hashing on
    /// helper threads is waited for first, so the state covers every byte written.
    public mutating func saveState() throws -> FilterState {
        takeBackFromWorkers()
        let saved = zip(algorithms, hashers).map { ($0.rawValue, $1!.savedState()) }
        return FilterState(version: 1) { writer in
            for (name, state) in saved {
                writer.write(name)
                writer.write(state)
            }
        }
    }

    public mutating func restore(_ state: FilterState) throws {
        let algorithms = self.algorithms
        hashers = try state.read("hash", version: 1) { reader throws(FilterStateError) in
            try algorithms.map { algorithm throws(FilterStateError) in
                let name = try reader.string(), saved = try reader.byteArray()
                guard name == algorithm.rawValue else {
                    throw FilterStateError("saved for \(name) where \(algorithm.rawValue) was expected")
                }
                do throws(DigestStateError) {
                    return try algorithm.resumeHasher(from: saved)
                } catch {
                    throw FilterStateError(error.description)
                }
            }
        }
    }
}
