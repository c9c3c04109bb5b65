extension DispositionFilter: ResumableFilter {
    /// Version 1: whether it has decided (the decision itself is in the upload's head).
    public mutating func saveState() throws -> FilterState {
        FilterState(version: 1) { $0.write(decided) }
    }

    public mutating func restore(_ state: FilterState) throws {
        decided = try state.read("disposition", version: 1) { reader throws(FilterStateError) in try reader.bool() }
    }
}
