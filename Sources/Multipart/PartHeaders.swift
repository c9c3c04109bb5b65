#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The header block of a multipart part, read as bytes: lines, fields, and the few comparisons
/// and conversions the reader needs. Working on bytes keeps a part's head to a handful of
/// instructions per byte, which matters for forms with thousands of small parts.
enum PartHeaders {
    static let maxFields = 32
    /// The empty line that ends a header block.
    static let blockEnd: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]

    /// The block with obsolete folded lines (CRLF then space or tab) joined to the line before
    /// with one space, as RFC 5322 unfolding does; the block itself when it has none.
    static func unfolded(_ raw: [UInt8]) throws(MultipartError) -> [UInt8] {
        if raw.first == 0x20 || raw.first == 0x09 {
            throw MultipartError("a part's headers start with a continuation line")
        }
        let folded = raw.withUnsafeBytes { block in
            var end = lineEnd(block, from: 0)
            while end + 2 < block.count {
                if block[end + 2] == 0x20 || block[end + 2] == 0x09 { return true }
                end = lineEnd(block, from: end + 2)
            }
            return false
        }
        guard folded else { return raw }
        var joined: [UInt8] = []
        joined.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            if raw[i] == 0x0D, i + 2 < raw.count, raw[i + 1] == 0x0A, raw[i + 2] == 0x20 || raw[i + 2] == 0x09 {
                while let last = joined.last, last == 0x20 || last == 0x09 { joined.removeLast() }
                joined.append(0x20)
                i += 2
                while i < raw.count, raw[i] == 0x20 || raw[i] == 0x09 { i += 1 }
                continue
            }
            joined.append(raw[i])
            i += 1
        }
        return joined
    }

    /// Calls `field` with each header's name and its value without surrounding spaces and tabs.
    static func forEachField(
        in block: UnsafeRawBufferPointer,
        _ field: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws(MultipartError) -> Void
    ) throws(MultipartError) {
        guard let base = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var start = 0, fields = 0
        while start < block.count {
            let end = lineEnd(block, from: start)
            defer { start = end + 2 }
            guard end > start else { continue }
            var colon = start
            while colon < end, isToken(base[colon]) { colon += 1 }
            guard colon > start, colon < end, base[colon] == UInt8(ascii: ":") else {
                throw MultipartError("a part has a broken header line: \"\(text(UnsafeRawBufferPointer(rebasing: block[start..<Swift.min(end, start + 80)])))\"")
            }
            fields += 1
            guard fields <= maxFields else { throw MultipartError("a part has more than \(maxFields) headers") }
            try field(UnsafeRawBufferPointer(start: base + start, count: colon - start), trimmed(UnsafeRawBufferPointer(start: base + colon + 1, count: end - colon - 1)))
        }
    }

    /// The offset of the next CRLF at or after `start`, or the block's end.
    static func lineEnd(_ block: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        var i = start
        while i < block.count, let cr = memchr(base + i, 0x0D, block.count - i) {
            let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(cr))
            if at + 1 < block.count, base[at + 1] == 0x0A { return at }
            i = at + 1
        }
        return block.count
    }

    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return bytes }
        var lower = 0, upper = bytes.count
        while lower < upper, base[lower] == 0x20 || base[lower] == 0x09 { lower += 1 }
        while upper > lower, base[upper - 1] == 0x20 || base[upper - 1] == 0x09 { upper -= 1 }
        return UnsafeRawBufferPointer(start: base + lower, count: upper - lower)
    }

    /// ASCII case-insensitive comparison with a lowercase name.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        for i in 0..<bytes.count {
            let byte = bytes[i]
            let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lowered != expected[i] { return false }
        }
        return true
    }

    /// Browsers send raw UTF-8 (filenames included); anything else is read as Latin-1.
    static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        let utf8 = bytes.assumingMemoryBound(to: UInt8.self)
        // ASCII first: String(decoding:) is specialized for buffers and never needs repair here.
        if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
        return String(validating: utf8, as: UTF8.self) ?? String(String.UnicodeScalarView(utf8.map { Unicode.Scalar($0) }))
    }

    /// RFC 9110 token characters: bit n of the mask set for character n (literals, so that no
    /// lazy global sits in this per-byte check).
    static func isToken(_ byte: UInt8) -> Bool {
        let low: UInt64 = 0x03FF_6CFA_0000_0000  // !#$%&'*+-. 0-9
        let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE  // A-Z ^_` a-z |~
        // One shift of the half the byte falls in (a select, not two shifts and a branch).
        return byte < 128 && ((byte < 64 ? low : high) >> UInt64(byte & 63)) & 1 == 1
    }
}
