extension MemoryBudget {
    /// Holds `bytes` of the budget for a buffer that is not one of the sink's pooled parts (a
    /// resumable upload's part being filled). Throws ``Exhausted`` after ``startTimeout``.
    /// Returns what was charged, to give back with ``endReservation(_:)``.
    public func reserve(_ bytes: Int) async throws -> Int {
        let charged = MemoryBudget.granules(bytes)
        try await acquire(charged, starting: true)
        return charged
    }

    public func endReservation(_ charged: Int) { release(charged) }
}
