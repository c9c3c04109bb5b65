#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

extension MultipartScanner {
    /// A piece of the body, its end, or `needInput`.
    mutating func bodyChunk() throws -> Event? {
        if !held.isEmpty { return try resolveHeld() }
        if input.readableBytes == 0 { return try more(or: { $0.truncated() }) }
        if let index = find(delimiter, in: input) {
            let chunk = input.readSlice(length: index)!
            input.moveReaderIndex(forwardBy: delimiter.count)
            state = .afterDelimiter
            return .partEnd(chunk)
        }
        let keep = heldBackLength(input)
        let chunk = input.readSlice(length: input.readableBytes - keep)!
        if keep > 0 {
            held = Array(input.bytes)
            input.moveReaderIndex(forwardBy: keep)
        }
        return chunk.readableBytes > 0 ? .body(chunk) : nil
    }

    /// The held-back bytes met the next input: either they complete the delimiter, or they are
    /// body after all. (Only one start is possible: the boundary holds no CR.)
    private mutating func resolveHeld() throws -> Event? {
        if input.readableBytes == 0 { return try more(or: { $0.truncated() }) }
        let need = delimiter.count - held.count
        let available = Swift.min(need, input.readableBytes)
        let matches = input.bytes.prefix(available).elementsEqual(delimiter[held.count..<(held.count + available)])
        if !matches {
            defer { held = [] }
            return .body(ByteBuffer(bytes: held))
        }
        if available == need {
            input.moveReaderIndex(forwardBy: need)
            held = []
            state = .afterDelimiter
            return .partEnd(ByteBuffer())
        }
        held += input.bytes
        input.moveReaderIndex(forwardBy: available)
        return nil
    }

    /// How many bytes at the end of the input could be the start of a delimiter.
    private func heldBackLength(_ input: ScannerInput) -> Int {
        let count = input.readableBytes
        let window = Swift.min(count, delimiter.count - 1)
        let bytes = input.bytes
        for start in (count - window)..<count where bytes[start] == 0x0D {
            let length = count - start
            if delimiter.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress! + start, length) == 0 }) { return length }
        }
        return 0
    }

    func truncated() -> MultipartError {
        let name = (try? MultipartPart.parse(currentHead))?.name ?? ""
        return MultipartError("the body ends inside part \"\(name)\", before its closing boundary")
    }
}
