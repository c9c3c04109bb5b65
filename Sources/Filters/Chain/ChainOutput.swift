import NIOCore

/// The bytes of one upload after its chain, pulled by a sink.
///
/// Each `next()` pulls from the source only as much as it needs, so a sink that stops pulling
/// stops the source too: backpressure reaches the client. When `next()` has returned a chunk
/// or nil, ``head`` is final.
public struct ChainOutput: AsyncIteratorProtocol {
    public typealias Element = ByteBuffer

    private var run: ChainRun
    private var source: any AsyncIteratorProtocol<ByteBuffer, any Error>
    private var tail: [ByteBuffer] = []
    private var ended = false

    public init<Source: AsyncSequence<ByteBuffer, any Error>>(
        chain: Chain, upload: Upload, source: Source, resources: FilterResources
    ) throws {
        self.run = try chain.start(upload, resources: resources)
        self.source = source.makeAsyncIterator()
    }

    /// The metadata so far; complete once `next()` has returned nil.
    public var upload: Upload { run.upload }

    /// The object's headers, final from the first chunk on (nil before it).
    public var head: ObjectHead? { run.sealedHead }

    public var chain: Chain { run.chain }

    public mutating func next() async throws -> ByteBuffer? {
        while true {
            if !tail.isEmpty { return tail.removeFirst() }
            if ended { return nil }
            guard let chunk = try await source.next() else {
                ended = true
                tail = try run.finish()
                continue
            }
            if let out = try run.write(chunk) { return out }
        }
    }
}
