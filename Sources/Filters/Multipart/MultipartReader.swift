#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Reads a multipart/form-data body as it arrives, one part at a time, like Go's NextPart:
/// `nextPart()` reads a part's headers, then `nextChunk()` hands out its body until nil. A
/// part's bytes are never collected: each incoming buffer is searched for the delimiter with
/// memmem and handed out as slices of itself; only a possible start of the delimiter at a
/// buffer's end is held back.
///
/// One task reads it; it is not Sendable. It is not generic over its source either: a generic
/// class used from another module runs unspecialized and looks up type metadata on every call,
/// which cost more than the header parsing itself for small parts.
public final class MultipartReader {
    public struct Limits: Sendable {
        /// Bytes before the first boundary.
        public var preambleBytes = 64 << 10
        /// Bytes of one part's header block.
        public var headerBytes = 16 << 10

        public init() {}
    }

    /// How much of a new buffer `append()` copies behind a leftover.
    static let appendStep = 4 << 10

    private enum State {
        case preamble
        /// Just after a delimiter: `--` ends the body, CRLF starts the next part's headers.
        case afterDelimiter
        case body
        /// The part's delimiter has been read; `nextChunk()` answers nil.
        case bodyEnded
        case done
    }

    /// The next buffer of the body, or nil at its end.
    private let nextBuffer: nonisolated(nonsending) () async throws -> ByteBuffer?
    private let limits: Limits
    /// `\r\n--boundary`
    private let delimiter: [UInt8]
    // Unchecked exclusivity: one task owns the reader, and the runtime's access checks cost
    // more than the work done per small part.
    @exclusivity(unchecked) private var state = State.preamble
    /// Bytes received and not handed out yet.
    @exclusivity(unchecked) private var input = ByteBuffer()
    /// A possible start of the delimiter held back from the end of the last input (body only).
    @exclusivity(unchecked) private var held: [UInt8] = []
    /// The rest of a buffer whose start `append()` joined to a leftover.
    @exclusivity(unchecked) private var pending: ByteBuffer?
    @exclusivity(unchecked) private var sourceEnded = false
    @exclusivity(unchecked) private var partName = ""
    /// All bytes received from the source.
    @exclusivity(unchecked) public private(set) var bytesReceived: Int64 = 0

    public init<Source: AsyncIteratorProtocol>(boundary: String, source: Source, limits: Limits = Limits()) where Source.Element == ByteBuffer {
        var source = source
        self.nextBuffer = { try await source.next(isolation: #isolation) }
        self.limits = limits
        self.delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The next part's headers, or nil after the closing boundary. Any unread body of the
    /// previous part is skipped.
    public nonisolated(nonsending) func nextPart() async throws -> MultipartPart? {
        while true {
            switch state {
            case .done:
                return nil
            case .body:
                while try await nextChunk() != nil {}
            case .bodyEnded:
                state = .afterDelimiter
            case .preamble:
                try await skipPreamble()
            case .afterDelimiter:
                let part: MultipartPart
                if let whole = try headInPlace() {
                    part = whole
                } else {
                    guard try await afterDelimiter() else {
                        state = .done
                        return nil
                    }
                    part = try await readHeaders()
                }
                partName = part.name
                state = .body
                return part
            }
        }
    }

    /// The common case without suspending or looking twice: the delimiter's CRLF and a whole
    /// header block are already in `input`. nil leaves everything else (the closing `--`,
    /// padding, an empty, unfinished or too long block) to the step-by-step path.
    private func headInPlace() throws -> MultipartPart? {
        let limit = limits.headerBytes
        let found = try input.withUnsafeReadableBytes { bytes -> (MultipartPart, Int)? in
            guard bytes.count > 4, bytes[0] == 0x0D, bytes[1] == 0x0A, bytes[2] != 0x0D || bytes[3] != 0x0A else { return nil }
            let rest = UnsafeRawBufferPointer(rebasing: bytes[2...])
            guard let index = PartHeaders.blockEnd.withUnsafeBytes({ Memmem.find($0, in: rest) }), index <= limit else { return nil }
            return (try MultipartPart.parse(UnsafeRawBufferPointer(rebasing: rest[..<index])), 2 + index + PartHeaders.blockEnd.count)
        }
        guard let (part, consumed) = found else { return nil }
        input.moveReaderIndex(forwardBy: consumed)
        return part
    }

    /// The next piece of the current part's body, or nil at its end.
    public nonisolated(nonsending) func nextChunk() async throws -> ByteBuffer? {
        while true {
            guard case .body = state else { return nil }
            if !held.isEmpty {
                if let chunk = try await resolveHeld() { return chunk }
                continue
            }
            if input.readableBytes == 0 {
                guard try await pull() else { throw truncated() }
                continue
            }
            if let index = find(delimiter, in: input) {
                let chunk = input.readSlice(length: index)!
                input.moveReaderIndex(forwardBy: delimiter.count)
                state = .bodyEnded
                if chunk.readableBytes > 0 { return chunk }
                return nil
            }
            let keep = heldBackLength(input)
            let chunk = input.readSlice(length: input.readableBytes - keep)!
            if keep > 0 {
                held = Array(input.readableBytesView)
                input.moveReaderIndex(forwardBy: keep)
            }
            if chunk.readableBytes > 0 { return chunk }
        }
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

    // MARK: - Body

    /// The held-back bytes met the next input: either they complete the delimiter, or they are
    /// body after all. (Only one start is possible: the boundary holds no CR.)
    private nonisolated(nonsending) func resolveHeld() async throws -> ByteBuffer? {
        if input.readableBytes == 0 {
            guard try await pull() else { throw truncated() }
        }
        let need = delimiter.count - held.count
        let available = Swift.min(need, input.readableBytes)
        let matches = input.readableBytesView.prefix(available).elementsEqual(delimiter[held.count..<(held.count + available)])
        if !matches {
            defer { held = [] }
            return ByteBuffer(bytes: held)
        }
        if available == need {
            input.moveReaderIndex(forwardBy: need)
            held = []
            state = .bodyEnded
            return nil
        }
        held += input.readableBytesView
        input.moveReaderIndex(forwardBy: available)
        return nil
    }

    /// How many bytes at the end of `buffer` could be the start of a delimiter.
    private func heldBackLength(_ buffer: ByteBuffer) -> Int {
        let count = buffer.readableBytes
        let window = Swift.min(count, delimiter.count - 1)
        return buffer.withUnsafeReadableBytes { bytes -> Int in
            for start in (count - window)..<count where bytes[start] == 0x0D {
                let length = count - start
                if delimiter.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress! + start, length) == 0 }) { return length }
            }
            return 0
        }
    }

    // MARK: - Boundaries and headers

    private nonisolated(nonsending) func skipPreamble() async throws {
        // The first delimiter may open the body without the CRLF before it.
        let dashBoundary = Array(delimiter.dropFirst(2))
        while input.readableBytes < dashBoundary.count {
            guard try await append() else { throw noBoundary() }
        }
        if input.readableBytesView.prefix(dashBoundary.count).elementsEqual(dashBoundary) {
            input.moveReaderIndex(forwardBy: dashBoundary.count)
            state = .afterDelimiter
            return
        }
        let tooLong = MultipartError("the boundary declared in Content-Type is not in the first \(ByteSize.format(Int64(limits.preambleBytes))) of the body")
        while true {
            if let index = find(delimiter, in: input) {
                guard index <= limits.preambleBytes else { throw tooLong }
                input.moveReaderIndex(forwardBy: index + delimiter.count)
                state = .afterDelimiter
                return
            }
            if input.readableBytes > limits.preambleBytes { throw tooLong }
            guard try await append() else { throw noBoundary() }
        }
    }

    /// After a delimiter: true when a part follows, false at the closing `--`.
    private nonisolated(nonsending) func afterDelimiter() async throws -> Bool {
        while input.readableBytes < 2 {
            guard try await append() else { throw MultipartError("the body ends right after a boundary, without the closing --") }
        }
        if input.getInteger(at: input.readerIndex, as: UInt16.self) == 0x2D2D {
            input.moveReaderIndex(forwardBy: 2)
            return false
        }
        // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
        while true {
            while let byte = input.readableBytesView.first, byte == 0x20 || byte == 0x09 { input.moveReaderIndex(forwardBy: 1) }
            if input.readableBytes >= 2 { break }
            guard try await append() else { throw MultipartError("the body ends right after a boundary") }
        }
        guard input.getInteger(at: input.readerIndex, as: UInt16.self) == 0x0D0A else {
            throw MultipartError("a boundary is not followed by CRLF or --")
        }
        input.moveReaderIndex(forwardBy: 2)
        return true
    }

    private nonisolated(nonsending) func readHeaders() async throws -> MultipartPart {
        while true {
            if input.getInteger(at: input.readerIndex, as: UInt16.self) == 0x0D0A {
                // An empty header block: no Content-Disposition, which parse() reports.
                input.moveReaderIndex(forwardBy: 2)
                return try MultipartPart.parse(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            if let index = find(PartHeaders.blockEnd, in: input) {
                guard index <= limits.headerBytes else { throw headersTooLong() }
                let part = try input.withUnsafeReadableBytes { try MultipartPart.parse(UnsafeRawBufferPointer(rebasing: $0[..<index])) }
                input.moveReaderIndex(forwardBy: index + PartHeaders.blockEnd.count)
                return part
            }
            if input.readableBytes > limits.headerBytes { throw headersTooLong() }
            guard try await append() else { throw MultipartError("the body ends inside a part's headers") }
        }
    }

    // MARK: - Input

    /// Replaces the (consumed) input with the next buffer from the source.
    private nonisolated(nonsending) func pull() async throws -> Bool {
        guard let next = try await receive() else { return false }
        input = next
        return true
    }

    /// Adds the next buffer to what is unread (for the small header and boundary areas).
    private nonisolated(nonsending) func append() async throws -> Bool {
        guard var next = try await receive() else { return false }
        if input.readableBytes == 0 {
            input = next
            return true
        }
        // Only the start of the new buffer joins the leftover: a head or a delimiter split
        // across reads needs a few bytes of it, and copying a whole 128 KiB read for them
        // cost as much as searching it. The rest waits in `pending`.
        var start = next.readSlice(length: Swift.min(next.readableBytes, Self.appendStep))!
        input.writeBuffer(&start)
        if next.readableBytes > 0 { pending = next }
        return true
    }

    /// The buffer set aside by `append()`, else the source's next one.
    private nonisolated(nonsending) func receive() async throws -> ByteBuffer? {
        if let next = pending {
            pending = nil
            return next
        }
        guard !sourceEnded, let next = try await nextBuffer() else {
            sourceEnded = true
            return nil
        }
        bytesReceived += Int64(next.readableBytes)
        return next
    }

    private func find(_ needle: [UInt8], in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { haystack in
            needle.withUnsafeBytes { Memmem.find($0, in: haystack) }
        }
    }

    private func headersTooLong() -> MultipartError {
        MultipartError("a part's headers are longer than \(ByteSize.format(Int64(limits.headerBytes)))")
    }

    private func truncated() -> MultipartError {
        MultipartError("the body ends inside part \"\(partName)\", before its closing boundary")
    }

    private func noBoundary() -> MultipartError {
        MultipartError("the body does not contain the boundary declared in Content-Type")
    }
}
