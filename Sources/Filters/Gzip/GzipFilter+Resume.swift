import NIOCore

extension GzipFilter: ResumableFilter {
    public mutating func drain(_ upload: inout Upload) throws -> ByteBuffer? {
        try member?.drain()
    }

    /// Version 1: whether it has decided, whether it compresses, and then the member's state.
    public mutating func saveState() throws -> FilterState {
        FilterState(version: 1) { writer in
            writer.write(decided)
            writer.write(member != nil)
            member?.save(into: &writer)
        }
    }

    public mutating func restore(_ state: FilterState) throws {
        let level = self.level, helpers = self.helpers
        member = try state.read("gzip", version: 1) { reader throws(FilterStateError) -> GzipMember? in
            decided = try reader.bool()
            guard try reader.bool() else { return nil }
            let member = GzipMember(level: level, helpers: helpers)
            try member.restore(from: &reader)
            return member
        }
    }
}
