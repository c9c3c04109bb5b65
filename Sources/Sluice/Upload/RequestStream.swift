import Filters
import HummingbirdCore
import NIOCore

/// A request's body as it arrives: counts bytes, enforces the route's `maxRequestBytes` (for
/// bodies without a Content-Length too) and the minimum receive rate, and can drain what is
/// left after an early answer. One task reads it.
final class RequestStream {
    private var iterator: RequestBody.AsyncIterator
    private let limit: Int64?
    /// What going past `limit` is answered with.
    private let overLimit: APIError?
    /// Times the reads; nil: no minimum rate.
    let rateGuard: ReceiveRateGuard?
    private(set) var received: Int64 = 0
    /// The client sent its whole body.
    private(set) var ended = false

    init(_ body: RequestBody, limit: Int64?, overLimit: APIError? = nil, rateGuard: ReceiveRateGuard? = nil) {
        self.iterator = body.makeAsyncIterator()
        self.limit = limit
        self.overLimit = overLimit
        self.rateGuard = rateGuard
    }

    /// The guard ended the body because the client sent it too slowly.
    var tooSlow: Bool { rateGuard?.tripped ?? false }

    func next() async throws -> ByteBuffer? {
        guard !ended else { return nil }
        rateGuard?.readBegins()
        let chunk: ByteBuffer?
        do {
            chunk = try await iterator.next()
        } catch {
            if tooSlow { throw RequestStream.tooSlowError(rateGuard!.policy) }
            throw error
        }
        rateGuard?.readEnds(bytes: chunk?.readableBytes ?? 0)
        guard let chunk else {
            // The guard closed the input: the body did not end, it was cut off.
            if tooSlow { throw RequestStream.tooSlowError(rateGuard!.policy) }
            ended = true
            return nil
        }
        received += Int64(chunk.readableBytes)
        if let limit, received > limit {
            throw overLimit ?? APIError.tooLarge("request_too_large", "the request is larger than this route's limit of \(ByteSize.format(limit))")
        }
        return chunk
    }

    static func tooSlowError(_ policy: ReceiveRateGuard.Policy) -> APIError {
        APIError(
            status: 408, error: "request_too_slow",
            message: "the request body arrived slower than \(ByteSize.format(policy.minRate))/s after the first \(policy.grace.secondsText) s")
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
