import NIOCore

extension MagicFilter: ResumableFilter {
    /// Version 1: whether it has decided, and the window held back until then (the window may
    /// span several requests of a resumable upload; the verdict is on the whole of it).
    public mutating func saveState() throws -> FilterState {
        FilterState(version: 1) { writer in
            writer.write(decided)
            writer.write(window.readableBytesView)
        }
    }

    public mutating func restore(_ state: FilterState) throws {
        let (decided, held) = try state.read("magic", version: 1) { reader throws(FilterStateError) in
            (try reader.bool(), try reader.byteArray())
        }
        guard held.count <= policy.sniffBytes, !decided || held.isEmpty else {
            throw FilterStateError("`magic` state holds \(held.count) bytes, more than its window")
        }
        self.decided = decided
        self.window = ByteBuffer(bytes: held)
    }
}
