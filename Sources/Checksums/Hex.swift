extension UInt32 {
    /// The four bytes, most significant first, as S3 and the RFCs write a CRC.
    public var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8(self >> 16 & 0xFF), UInt8(self >> 8 & 0xFF), UInt8(self & 0xFF)] }

    /// The value of four bytes, most significant first; nil for any other count.
    init?(bigEndianBytes bytes: [UInt8]) {
        guard bytes.count == 4 else { return nil }
        self = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hexadecimal, two digits a byte.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
