import CChecksum

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as S3's x-amz-checksum-crc32c uses:
/// SSE4.2's CRC32 instruction where the CPU has it, else slicing-by-8 (eight table lookups per
/// 8 bytes).
public struct CRC32C: ResumableDigest {
    private var crc: UInt32 = 0xFFFF_FFFF

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress {
            let hardware = sluice_crc32c(~crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
            if hardware >= 0 {
                crc = ~UInt32(truncatingIfNeeded: hardware)
                return
            }
        }
        update(portable: bytes)
    }

    /// The table-driven version, for CPUs without SSE4.2 (and for tests).
    mutating func update(portable bytes: UnsafeRawBufferPointer) {
        var crc = self.crc
        CRC32C.tables.withUnsafeBufferPointer { t in
            var i = 0
            let n = bytes.count
            while n - i >= 8 {
                let lo = crc ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian
                let hi = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                crc = t[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
        }
        self.crc = crc
    }

    public mutating func finalize() -> [UInt8] { (crc ^ 0xFFFF_FFFF).bigEndianBytes }

    /// The running register, big-endian.
    public func savedState() -> [UInt8] { crc.bigEndianBytes }

    public init(savedState state: [UInt8]) throws(DigestStateError) {
        guard let crc = UInt32(bigEndianBytes: state) else { throw DigestStateError(algorithm: "crc32c") }
        self.crc = crc
    }

    /// tables[k * 256 + b]: the CRC of byte b followed by k zero bytes.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let prev = t[(k - 1) * 256 + b]
                t[k * 256 + b] = t[Int(prev & 0xFF)] ^ (prev >> 8)
            }
        }
        return t
    }()
}
