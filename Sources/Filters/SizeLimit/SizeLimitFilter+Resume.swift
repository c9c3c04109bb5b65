extension SizeLimitFilter: ResumableFilter {
    /// Version 1: the count so far.
    public mutating func saveState() throws -> FilterState {
        FilterState(version: 1) { $0.write(count) }
    }

    public mutating func restore(_ state: FilterState) throws {
        count = try state.read("size-limit", version: 1) { reader throws(FilterStateError) in try reader.int64() }
    }
}
