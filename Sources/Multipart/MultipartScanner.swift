import NIOCore

/// The multipart/form-data parser itself, without I/O: given the body's buffers as they
/// arrive, `next()` says what comes next (a part's head, a piece of its body, its end) or that
/// it needs another buffer. Each buffer is searched for the delimiter with memmem and its body
/// bytes handed out as slices of itself; only a possible start of the delimiter at a buffer's
/// end is held back. `MultipartReader` drives it from an async source; code that receives
/// buffers synchronously (a channel handler, a benchmark) can drive it directly, one plain
/// call per event.
public struct MultipartScanner {
    public struct Limits: Sendable {
        /// Bytes before the first boundary.
        public var preambleBytes = 64 << 10
        /// Bytes of one part's header block.
        public var headerBytes = 16 << 10

        public init() {}
    }

    public enum Event {
        /// The next part begins: its headers.
        case part(MultipartPart)
        /// A piece of the current part's body; more follows.
        case body(ByteBuffer)
        /// The current part's body ends with these bytes (all of it for a small part; may be
        /// empty). One event rather than a last `body` and an end: a 10 KiB part's three
        /// events cost more than its head.
        case partEnd(ByteBuffer)
        /// The closing boundary has been read. Asked again, the scanner answers `end` again.
        case end
        /// Call `receive(_:)` with the next buffer, or `finish()` if the body has ended.
        case needInput
    }

    /// How much of a new buffer `receive()` copies behind a leftover.
    static let appendStep = 4 << 10

    enum State {
        case preamble
        /// Just after a delimiter: `--` ends the body, anything else is padding then CRLF.
        case afterDelimiter
        /// Past a delimiter that is not the closing one: padding, then the CRLF before a head.
        case padding
        case head
        case body
        case done
    }

    let limits: Limits
    /// `\r\n--boundary`
    let delimiter: [UInt8]
    var state = State.preamble
    /// Bytes received and not handed out yet.
    var input = ScannerInput()
    /// A possible start of the delimiter held back from the end of the last input (body only).
    var held: [UInt8] = []
    /// The rest of a buffer whose start `receive()` joined to a leftover.
    var pending: ByteBuffer?
    var sourceEnded = false
    /// The header block of the part being read: its name is read from it again only if the
    /// body ends inside the part; keeping a copy of every part's head was measurable on small
    /// parts (docs/PERFORMANCE.md).
    var currentHead = ByteBuffer()
    /// All bytes received.
    public private(set) var bytesReceived: Int64 = 0

    public init(boundary: String, limits: Limits = Limits()) {
        self.limits = limits
        self.delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// Between a `part` and its `partEnd`.
    public var isInBody: Bool {
        if case .body = state { true } else { false }
    }

    /// The next thing in the body. Throws MultipartError for a malformed body, including one
    /// that ends (`finish()`) before its closing boundary.
    public mutating func next() throws -> Event {
        while true {
            let event: Event?
            switch state {
            case .done: return .end
            case .preamble: event = try skipPreamble()
            case .afterDelimiter: event = try afterDelimiter()
            case .padding: event = try padding()
            case .head: event = try head()
            case .body: event = try bodyChunk()
            }
            if let event { return event }
        }
    }

    /// The next buffer of the body, after `next()` answered `needInput`.
    public mutating func receive(_ buffer: ByteBuffer) {
        bytesReceived += Int64(buffer.readableBytes)
        take(buffer)
    }

    /// The body has ended: no more buffers will come.
    public mutating func finish() {
        sourceEnded = true
    }

    // MARK: - Input

    /// nil when the buffer set aside by `take()` now joins the input (look again), else
    /// `needInput`; throws `error` once the body has ended. (It is handed `self` rather than
    /// capturing it: a mutating method cannot lend itself to a closure.)
    mutating func more(or error: (Self) -> MultipartError) throws -> Event? {
        if let next = pending {
            pending = nil
            take(next)
            return nil
        }
        if sourceEnded { throw error(self) }
        return .needInput
    }

    /// A consumed input is replaced. Behind a leftover (a head or a delimiter split across
    /// reads) only the start of the new buffer joins: it needs a few bytes of it, and copying a
    /// whole 128 KiB read for them cost as much as searching it. The rest waits in `pending`.
    private mutating func take(_ buffer: ByteBuffer) {
        if var waiting = pending {
            // Only if called without `needInput`: keep the order rather than drop a buffer.
            var buffer = buffer
            waiting.writeBuffer(&buffer)
            pending = waiting
            return
        }
        if input.readableBytes == 0 {
            input = ScannerInput(buffer)
            return
        }
        var next = buffer
        var start = next.readSlice(length: Swift.min(next.readableBytes, Self.appendStep))!
        // Into a buffer of their own: the leftover shares its read's storage (with the slices
        // handed out), and writing there copied all of that storage, up to 128 KiB.
        var joined = ByteBuffer()
        joined.reserveCapacity(input.readableBytes + start.readableBytes)
        var leftover = input.buffer
        joined.writeBuffer(&leftover)
        joined.writeBuffer(&start)
        input = ScannerInput(joined)
        if next.readableBytes > 0 { pending = next }
    }

    func find(_ needle: [UInt8], in input: ScannerInput) -> Int? {
        needle.withUnsafeBytes { Memmem.find($0, in: input.bytes) }
    }
}
