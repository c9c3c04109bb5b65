import Filters
import HummingbirdCore
import NIOCore

/// A request's body as it arrives: counts bytes, enforces the route's `maxRequestBytes` (for
/// bodies without a Content-Length too), and can drain what is left after an early answer.
/// One task reads it.
final class RequestStream {
    private var iterator: RequestBody.AsyncIterator
    private let limit: Int64?
    private(set) var received: Int64 = 0
    /// The client sent its whole body.
    private(set) var ended = false

    init(_ body: RequestBody, limit: Int64?) {
        self.iterator = body.makeAsyncIterator()
        self.limit = limit
    }

    func next() async throws -> ByteBuffer? {
        guard !ended else { return nil }
        guard let chunk = try await iterator.next() else {
            ended = true
            return nil
        }
        received += Int64(chunk.readableBytes)
        if let limit, received > limit {
            throw APIError.tooLarge("request_too_large", "the request is larger than this route's limit of \(ByteSize.format(limit))")
        }
        return chunk
    }

    /// Reads and drops the rest of the body, up to `maxBytes`; false if it did not end.
    func drain(maxBytes: Int64) async -> Bool {
        var dropped: Int64 = 0
        while !ended, dropped < maxBytes {
            do {
                guard let chunk = try await iterator.next() else {
                    ended = true
                    break
                }
                dropped += Int64(chunk.readableBytes)
            } catch {
                return false
            }
        }
        return ended
    }

    /// The body as an async iterator (for the multipart reader and for chains).
    struct Iterator: AsyncIteratorProtocol {
        let stream: RequestStream
        mutating func next() async throws -> ByteBuffer? { try await stream.next() }
    }

    var iteratorView: Iterator { Iterator(stream: self) }

    /// The body as an async sequence.
    struct Sequence: AsyncSequence {
        typealias Element = ByteBuffer
        typealias Failure = any Error
        let stream: RequestStream
        func makeAsyncIterator() -> Iterator { Iterator(stream: stream) }
    }

    var sequence: Sequence { Sequence(stream: self) }
}
