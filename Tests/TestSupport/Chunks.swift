import NIOCore

/// Chunks handed out in order, counting how many were pulled.
public final class Chunks: AsyncSequence, @unchecked Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error
    public let chunks: [ByteBuffer]
    public private(set) var pulled = 0

    public init(_ chunks: [ByteBuffer]) { self.chunks = chunks }

    public func makeAsyncIterator() -> Iterator { Iterator(owner: self) }

    public struct Iterator: AsyncIteratorProtocol {
        let owner: Chunks
        public mutating func next() async throws -> ByteBuffer? {
            guard owner.pulled < owner.chunks.count else { return nil }
            defer { owner.pulled += 1 }
            return owner.chunks[owner.pulled]
        }
    }
}
