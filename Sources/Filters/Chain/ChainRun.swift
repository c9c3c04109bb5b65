import NIOCore

/// One upload going through a chain: the filters' state and the metadata, driven synchronously
/// chunk by chunk. ``ChainOutput`` drives it from an async source for a sink.
public struct ChainRun {
    public let chain: Chain
    public internal(set) var upload: Upload
    var filters: [any Filter]
    /// The headers as handed to the sink with the first byte; nil until then.
    public internal(set) var sealedHead: ObjectHead?
    private var finished = false

    init(chain: Chain, upload: Upload, resources: FilterResources) {
        self.chain = chain
        self.upload = upload
        var original = true
        self.filters = chain.steps.map { step in
            defer { if step.traits.transformsBytes { original = false } }
            return step.makeFilter(FilterStep.Context(seesOriginalBytes: original, resources: resources))
        }
    }

    mutating func begin() throws {
        // Until a filter decides otherwise, the object's type is the claim (a chain without
        // `magic` stores what the client said; `filterctl validate` warns about that).
        upload.contentType = upload.declaredType.flatMap(MediaType.essence) ?? MediaType.octetStream
        for i in filters.indices {
            try step(i) { filter, upload in try filter.begin(&upload) }
        }
    }

    /// Passes one chunk through every filter; returns what reaches the sink, if anything.
    public mutating func write(_ chunk: ByteBuffer) throws -> ByteBuffer? {
        precondition(!finished, "write after finish")
        upload.bytesIn += Int64(chunk.readableBytes)
        guard chunk.readableBytes > 0 else { return nil }
        let out = try pass(chunk, from: 0)
        if let out { deliver(out) }
        return out
    }

    /// Ends the input: flushes every filter in order and returns the last bytes for the sink.
    /// After it, ``upload`` holds the final metadata (digests, counts).
    public mutating func finish() throws -> [ByteBuffer] {
        precondition(!finished, "finish twice")
        finished = true
        var outputs: [ByteBuffer] = []
        for i in filters.indices {
            var held: ByteBuffer?
            try step(i) { filter, upload in held = try filter.finish(&upload) }
            if let held = held.nonEmpty, let out = try pass(held, from: i + 1) {
                deliver(out)
                outputs.append(out)
            }
        }
        if sealedHead == nil { sealedHead = upload.head }
        return outputs
    }

    /// Runs `chunk` through filters `start...`, stopping where one holds it back.
    mutating func pass(_ chunk: ByteBuffer, from start: Int) throws -> ByteBuffer? {
        var current = chunk
        for i in filters.indices[start...] {
            var next: ByteBuffer?
            try step(i) { filter, upload in next = try filter.write(current, &upload) }
            guard let out = next.nonEmpty else { return nil }
            current = out
        }
        return current
    }

    mutating func deliver(_ out: ByteBuffer) {
        if sealedHead == nil { sealedHead = upload.head }
        upload.bytesOut += Int64(out.readableBytes)
    }

    /// Calls filter `i`, naming it in whatever it throws, and holds it to the sealed head.
    mutating func step(_ i: Int, _ body: (inout any Filter, inout Upload) throws -> Void) throws {
        let name = chain.steps[i].name
        do {
            try body(&filters[i], &upload)
        } catch var rejection as Rejection {
            rejection.filter = name
            throw rejection
        } catch {
            throw FilterFailure(filter: name, underlying: error)
        }
        if let sealedHead, sealedHead != upload.head {
            throw FilterFailure(filter: name, underlying: ChainContractViolation.headChangedAfterFirstByte(sealedHead, upload.head))
        }
    }
}

/// A filter failed (not a policy decision: a bug or a resource problem).
public struct FilterFailure: Error, CustomStringConvertible {
    public var filter: String
    public var underlying: any Error
    public var description: String { "filter `\(filter)` failed: \(underlying)" }
}

/// A filter broke the contract of ``Filter``.
public enum ChainContractViolation: Error, CustomStringConvertible {
    case headChangedAfterFirstByte(ObjectHead, ObjectHead)

    public var description: String {
        switch self {
        case .headChangedAfterFirstByte(let before, let after):
            "changed the object's headers after the sink received bytes (\(before) -> \(after))"
        }
    }
}

extension Optional where Wrapped == ByteBuffer {
    /// nil for nil or an empty buffer: filters may return either to mean "nothing".
    var nonEmpty: ByteBuffer? {
        guard let self, self.readableBytes > 0 else { return nil }
        return self
    }
}
