import NIOCore

/// The bytes `MultipartScanner` has received and not handed out yet: a buffer, and where its
/// bytes lie, looked up once per buffer. Each look through ByteBuffer's own accessors costs a
/// runtime exclusivity check (its storage's pointer is a class property of another module),
/// about 80 instructions, two per small part.
///
/// The pointer stays valid because this holds the buffer (and so its storage) and only ever
/// moves its reader index: nothing here writes to it, which could move the storage. A new
/// buffer comes in through `init`.
struct ScannerInput {
    private(set) var buffer: ByteBuffer
    /// Where the byte at index 0 of `buffer` lies.
    private let origin: UnsafeRawPointer?

    init(_ buffer: ByteBuffer = ByteBuffer()) {
        self.buffer = buffer
        self.origin = buffer.withUnsafeReadableBytes { $0.baseAddress.map { $0 - buffer.readerIndex } }
    }

    /// The readable bytes, valid until this input is replaced.
    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: origin.map { $0 + buffer.readerIndex }, count: buffer.readableBytes)
    }

    var readableBytes: Int { buffer.readableBytes }
    var readerIndex: Int { buffer.readerIndex }

    /// The first two readable bytes, as in the body (`0x0D0A` is CRLF); nil with fewer.
    var firstTwoBytes: UInt16? {
        let bytes = bytes
        guard bytes.count >= 2 else { return nil }
        return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }

    mutating func moveReaderIndex(forwardBy count: Int) {
        buffer.moveReaderIndex(forwardBy: count)
    }

    mutating func readSlice(length: Int) -> ByteBuffer? {
        buffer.readSlice(length: length)
    }

    func getSlice(at index: Int, length: Int) -> ByteBuffer? {
        buffer.getSlice(at: index, length: length)
    }
}
