import NIOCore

/// Buffers handed out one per `next()`, as the server's request body hands out socket reads.
struct ChunkSource: AsyncIteratorProtocol {
    var chunks: [ByteBuffer]
    private var index = 0

    init(_ chunks: [ByteBuffer]) { self.chunks = chunks }

    mutating func next() async -> ByteBuffer? {
        guard index < chunks.count else { return nil }
        defer { index += 1 }
        return chunks[index]
    }
}
