/// A chain run paused between chunks, as a resumable upload keeps it between requests: each
/// step's saved state and the upload's metadata so far. ``Chain/resume(_:resources:)`` takes it up.
public struct SuspendedRun: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var name: String
        public var state: FilterState
    }

    public var chain: String
    public var steps: [Step]
    public var upload: Upload
    /// The headers the sink was given with the first byte, once it was.
    public var sealedHead: ObjectHead?

    /// The run as bytes (format 1), to store with the upload's state.
    public func encoded() -> [UInt8] {
        var writer = StateWriter()
        writer.write(UInt64(SuspendedRun.format))
        writer.write(chain)
        writer.write(UInt64(steps.count))
        for step in steps {
            writer.write(step.name)
            writer.write(UInt64(step.state.version))
            writer.write(step.state.bytes)
        }
        writer.write(upload)
        writer.write(sealedHead != nil)
        if let sealedHead { writer.write(sealedHead) }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(FilterStateError) {
        var reader = StateReader(bytes)
        guard try reader.uint64() == SuspendedRun.format else { throw FilterStateError("a suspended run of another format") }
        chain = try reader.string()
        let count = try reader.uint64()
        guard count <= 1024 else { throw FilterStateError("\(count) steps") }
        steps = []
        for _ in 0..<count {
            let name = try reader.string()
            guard let version = UInt16(exactly: try reader.uint64()) else { throw FilterStateError("a state version out of range") }
            steps.append(Step(name: name, state: FilterState(version: version, bytes: try reader.byteArray())))
        }
        upload = try reader.upload()
        sealedHead = try reader.bool() ? try reader.objectHead() : nil
        try reader.expectEnd()
    }

    init(chain: String, steps: [Step], upload: Upload, sealedHead: ObjectHead?) {
        self.chain = chain
        self.steps = steps
        self.upload = upload
        self.sealedHead = sealedHead
    }

    private static let format: UInt64 = 1
}
