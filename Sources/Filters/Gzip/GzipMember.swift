import Checksums
import NIOCore

/// One gzip member (RFC 1952) written as a run of deflate blocks, each compressed on its own from
/// ``blockSize`` bytes of input and primed with the 32 KiB before them, as pigz does. Blocks can
/// then be compressed on several threads and joined in order: one zlib stream is the slowest
/// step of any chain with gzip (docs/PERFORMANCE.md). Each cut costs a few bytes. The
/// output depends only on the input, not on the threads or on how the input was chunked.
///
/// The reader compresses too: after each block it hands over, it takes one that no idle helper
/// is about to take, and when too many are out it compresses waiting blocks rather than wait.
/// With no helper free (``HelperThreads``) it compresses every block itself.
final class GzipMember {
    /// pigz's block size: long enough that the priming and the flush cost little.
    static let blockSize = 128 << 10
    /// Deflate's window: what a block's matches can reach back to.
    static let window = 32 << 10
    /// Blocks handed out and not yet written, at most: the memory the helpers can hold.
    static let maxInFlight = 8

    let jobs: Jobs
    var level: Int32 { jobs.level }
    private var reader: BlockDeflater?
    /// Input since the last cut, in a buffer of its own (a slice of it would make every append
    /// copy the storage).
    var pending = ByteBuffer()
    /// The last ``window`` bytes of the block before.
    var previous: ByteBuffer?
    var crc = CRC32()
    var size: UInt32 = 0
    var submitted = 0
    var written = 0
    var headerWritten = false

    init(level: Int32, helpers: HelperThreads?) {
        self.jobs = Jobs(level: level, helpers: helpers)
    }

    deinit { jobs.close() }

    /// Takes `chunk` in; returns the compressed bytes that are ready, in order.
    func write(_ chunk: ByteBuffer) throws -> ByteBuffer {
        chunk.withUnsafeReadableBytes { crc.update($0) }
        size &+= UInt32(truncatingIfNeeded: chunk.readableBytes)
        var rest = chunk
        while rest.readableBytes > 0 {
            if pending.capacity < GzipMember.blockSize { pending.reserveCapacity(GzipMember.blockSize) }
            var piece = rest.readSlice(length: Swift.min(rest.readableBytes, GzipMember.blockSize - pending.readableBytes))!
            pending.writeBuffer(&piece)
            if pending.readableBytes == GzipMember.blockSize { try cut() }
        }
        return try collect(waitingForAll: false)
    }

    /// Compresses what is left and returns it with the end of the stream and the trailer.
    func finish() throws -> ByteBuffer {
        if pending.readableBytes > 0 { try cut() }
        // Collecting them all compresses, on this thread, every block no helper has taken.
        var output = try collect(waitingForAll: true)
        jobs.close()
        // An empty final block (BFINAL set, fixed codes, end of block): what zlib writes for
        // Z_FINISH with no input left.
        output.writeBytes([0x03, 0x00])
        output.writeBytes(crc.finalize().reversed())
        output.writeInteger(size, endianness: .little)
        return output
    }

    /// Hands the pending block out, then compresses one that no helper has taken.
    private func cut() throws {
        let block = pending
        pending = ByteBuffer()
        jobs.submit(Job(sequence: submitted, block: block, dictionary: previous))
        submitted += 1
        let tail = Swift.min(GzipMember.window, block.readableBytes)
        previous = block.getSlice(at: block.writerIndex - tail, length: tail)
        if let job = jobs.take(leavingIdleHelpers: true) { try compress(job) }
    }

    func compress(_ job: Job) throws {
        if reader == nil { reader = try BlockDeflater(level: level) }
        jobs.complete(job.sequence, Result { () throws(DeflateError) in try reader!.deflate(job.block, after: job.dictionary) })
    }

    /// The finished blocks that come next, in order; waits for the oldest while too many are out.
    func collect(waitingForAll: Bool) throws -> ByteBuffer {
        var output = ByteBuffer()
        if !headerWritten {
            headerWritten = true
            // ID1 ID2, deflate, no flags, no mtime, XFL (2: slowest, 4: fastest), OS 3 (Unix).
            output.writeBytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, level >= 9 ? 2 : level <= 1 ? 4 : 0, 3])
        }
        while written < submitted {
            if let done = jobs.finished(written) {
                var bytes = try done.get()
                output.writeBuffer(&bytes)
                written += 1
                continue
            }
            guard waitingForAll || submitted - written > GzipMember.maxInFlight else { break }
            // Rather than wait, compress a block that is still waiting; wait only when none is.
            if let job = jobs.take() {
                try compress(job)
            } else {
                jobs.wait(for: written)
            }
        }
        return output
    }
}
