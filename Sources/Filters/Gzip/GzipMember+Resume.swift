import Checksums
import NIOCore

extension GzipMember {
    /// Compresses every block cut so far and returns their output, so that what is left is
    /// the member's input state: the block being filled, the dictionary, the CRC and size.
    func drain() throws -> ByteBuffer {
        while let job = jobs.take() { try compress(job) }
        return try collect(waitingForAll: true)
    }

    /// Version 1, after ``drain()``: whether the header was written, the size, the CRC's
    /// midstate, the block being filled and the dictionary for it. Blocks are cut where an
    /// uninterrupted upload cuts them, so the output is the same bytes.
    func save(into writer: inout StateWriter) {
        precondition(written == submitted, "drain before saving")
        writer.write(headerWritten)
        writer.write(UInt64(size))
        writer.write(crc.savedState())
        writer.write(pending.readableBytesView)
        writer.write(previous != nil)
        if let previous { writer.write(previous.readableBytesView) }
    }

    func restore(from reader: inout StateReader) throws(FilterStateError) {
        headerWritten = try reader.bool()
        guard let size = UInt32(exactly: try reader.uint64()) else { throw FilterStateError("a gzip size out of range") }
        self.size = size
        do {
            crc = try CRC32(savedState: try reader.byteArray())
        } catch let error as FilterStateError {
            throw error
        } catch {
            throw FilterStateError("a damaged gzip CRC")
        }
        let pending = try reader.byteArray()
        guard pending.count < GzipMember.blockSize else { throw FilterStateError("a gzip block of \(pending.count) bytes") }
        self.pending = ByteBuffer(bytes: pending)
        if try reader.bool() {
            let previous = try reader.byteArray()
            guard previous.count <= GzipMember.window else { throw FilterStateError("a gzip dictionary of \(previous.count) bytes") }
            self.previous = ByteBuffer(bytes: previous)
        }
    }
}
