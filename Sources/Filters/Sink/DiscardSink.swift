/// Counts the bytes and keeps none: for trying chains and for benchmarks.
public struct DiscardSink: Sink {
    public init() {}

    public func store(_ body: inout ChainOutput, key: String) async throws -> StoredObject {
        var size: Int64 = 0
        while let chunk = try await body.next() { size += Int64(chunk.readableBytes) }
        return StoredObject(key: key, size: size)
    }

    public func remove(_ object: StoredObject) async throws {}
}
