import NIOCore

/// Reads a multipart/form-data body as it arrives, one part at a time, like Go's NextPart:
/// `nextPart()` reads a part's headers, then `nextChunk()` hands out its body until nil. The
/// parsing is `MultipartScanner`'s; this drives it from an async source of buffers.
///
/// One task reads it; it is not Sendable. It is not generic over its source either: a generic
/// class used from another module runs unspecialized and looks up type metadata on every call,
/// which cost more than the header parsing itself for small parts.
public final class MultipartReader {
    public typealias Limits = MultipartScanner.Limits

    /// The next buffer of the body, or nil at its end.
    private let nextBuffer: nonisolated(nonsending) () async throws -> ByteBuffer?
    // Unchecked exclusivity: one task owns the reader, and the runtime's access checks cost
    // more than the work done per small part.
    @exclusivity(unchecked) @usableFromInline var scanner: MultipartScanner

    /// All bytes received from the source.
    public var bytesReceived: Int64 { scanner.bytesReceived }

    public init<Source: AsyncIteratorProtocol>(boundary: String, source: Source, limits: Limits = Limits()) where Source.Element == ByteBuffer {
        var source = source
        self.nextBuffer = { try await source.next(isolation: #isolation) }
        self.scanner = MultipartScanner(boundary: boundary, limits: limits)
    }

    /// The next part's headers, or nil after the closing boundary. Any unread body of the
    /// previous part is skipped.
    @inlinable public nonisolated(nonsending) func nextPart() async throws -> MultipartPart? {
        while true {
            switch try scanner.next() {
            case .part(let part): return part
            case .body, .partEnd: continue
            case .end: return nil
            case .needInput: try await receive()
            }
        }
    }

    /// The next piece of the current part's body, or nil at its end.
    @inlinable public nonisolated(nonsending) func nextChunk() async throws -> ByteBuffer? {
        while scanner.isInBody {
            switch try scanner.next() {
            case .body(let chunk): return chunk
            // The part's last bytes now; nil on the next call, which finds it out of the body.
            case .partEnd(let chunk): if chunk.readableBytes > 0 { return chunk } else { return nil }
            case .part, .end: return nil
            case .needInput: try await receive()
            }
        }
        return nil
    }

    /// The current part's body as an async sequence, for a chain.
    public var partBody: PartBody { PartBody(reader: self) }

    public struct PartBody: AsyncSequence {
        public typealias Element = ByteBuffer
        public typealias Failure = any Error
        let reader: MultipartReader

        public func makeAsyncIterator() -> Iterator { Iterator(reader: reader) }

        public struct Iterator: AsyncIteratorProtocol {
            let reader: MultipartReader
            public mutating func next() async throws -> ByteBuffer? { try await reader.nextChunk() }
            public mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? { try await reader.nextChunk() }
        }
    }

    @usableFromInline nonisolated(nonsending) func receive() async throws {
        if let buffer = try await nextBuffer() {
            scanner.receive(buffer)
        } else {
            scanner.finish()
        }
    }
}
