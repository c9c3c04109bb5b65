import CZlib
import NIOCore

/// A zlib deflate stream with the gzip wrapper. The z_stream lives on the heap for its whole
/// life, as zlib keeps a pointer back to it.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init(level: Int32) throws(DeflateError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16: gzip header and trailer; memLevel 8 is zlib's default.
        let status = sluice_deflateInit2(stream, level, 15 + 16, 8)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw DeflateError(status: status)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input`; with `finish`, also flushes and writes the gzip trailer.
    func deflate(_ input: ByteBuffer, finish: Bool) throws(DeflateError) -> ByteBuffer {
        var output = ByteBuffer()
        var status = Z_OK
        input.withUnsafeReadableBytes { bytes in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(bytes.count)
            // zlib's own loop: call again for as long as it fills all the room it was given.
            repeat {
                output.reserveCapacity(minimumWritableBytes: Swift.max(bytes.count / 2, 16 << 10))
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { space in
                    stream.pointee.next_out = space.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(space.count)
                    status = CZlib.deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    return space.count - Int(stream.pointee.avail_out)
                }
            } while status != Z_STREAM_ERROR && stream.pointee.avail_out == 0
            stream.pointee.next_in = nil
        }
        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else { throw DeflateError(status: status) }
        return output
    }
}

public struct DeflateError: Error, Sendable, CustomStringConvertible {
    public var status: Int32
    public var description: String { "zlib deflate failed with status \(status)" }
}
