import Checksums
import CZlib
import NIOCore

/// Deflates one block of a gzip member on its own: a raw deflate stream (no header), primed
/// with the bytes before the block so that matches still reach back across the cut, and ended
/// with a sync flush so that the next block's output follows it on a byte boundary. One per
/// thread; the z_stream (about 300 KiB at level 6) is reset between blocks, not rebuilt, and
/// lives on the heap because zlib keeps a pointer back to it.
final class BlockDeflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init(level: Int32) throws(DeflateError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits -15: raw deflate, the member's header and trailer are written by GzipMember.
        let status = sluice_deflateInit2(stream, level, -15, 8)
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

    /// `block` deflated after `dictionary` (up to the last 32 KiB before it), sync-flushed.
    func deflate(_ block: ByteBuffer, after dictionary: ByteBuffer?) throws(DeflateError) -> ByteBuffer {
        var status = deflateReset(stream)
        if status == Z_OK, let dictionary {
            status = dictionary.withUnsafeReadableBytes { bytes in
                deflateSetDictionary(stream, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(bytes.count))
            }
        }
        guard status == Z_OK else { throw DeflateError(status: status) }
        var output = ByteBuffer()
        block.withUnsafeReadableBytes { bytes in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(bytes.count)
            // zlib's rule for a flush: call again for as long as it fills all the room it was given.
            repeat {
                output.reserveCapacity(minimumWritableBytes: Swift.max(bytes.count / 2, 16 << 10))
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { space in
                    stream.pointee.next_out = space.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(space.count)
                    status = CZlib.deflate(stream, Z_SYNC_FLUSH)
                    return space.count - Int(stream.pointee.avail_out)
                }
            } while status == Z_OK && stream.pointee.avail_out == 0
            stream.pointee.next_in = nil
        }
        guard status == Z_OK || status == Z_BUF_ERROR else { throw DeflateError(status: status) }
        return output
    }
}
