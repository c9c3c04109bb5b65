import CZlib
@testable import Checksums
import TestSupport
import Testing

/// The fast CRC paths (PCLMULQDQ folding, SSE4.2 CRC32C) against the references they replace.
@Suite struct ChecksumTests {
    static let data: [UInt8] = {
        var rng = SeededRandom(seed: 77)
        return rng.bytes(1 << 20)
    }()

    @Test func crc32MatchesZlibAtEveryLengthAndAlignment() {
        ChecksumTests.data.withUnsafeBytes { all in
            for offset in [0, 1, 3, 8, 15] {
                for length in 0...600 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    var fast = CRC32()
                    fast.update(slice)
                    #expect(fast.finalize() == zlibCRC32(slice).bigEndianBytes, "offset \(offset), length \(length)")
                }
            }
            for length in [4096, 65_536, 1 << 20] {
                let slice = UnsafeRawBufferPointer(rebasing: all[0..<length])
                var fast = CRC32()
                fast.update(slice)
                #expect(fast.finalize() == zlibCRC32(slice).bigEndianBytes)
            }
        }
    }

    /// Each fold the CPU has (zlib, 128-bit, 512-bit), summing alone and copying as it sums, to
    /// destinations at every kind of alignment (long copies stream from a 64-byte boundary on):
    /// the same value as zlib, the bytes copied exactly, nothing written outside them.
    @Test(arguments: Int32(0)...CRC32.bestFold)
    func crc32CopyingMatchesZlibAndCopiesExactly(fold: Int32) {
        let guardByte: UInt8 = 0xA5, margin = 64
        let lengths = [0, 1, 3, 8, 15].flatMap { offset in (0...1100).map { (offset, $0) } }
            + [(0, 511), (7, 512), (0, 65_536), (5, 131_072 + 48), (0, 1 << 20)]
        let target = UnsafeMutableRawBufferPointer.allocate(byteCount: (1 << 20) + 2 * margin + 64, alignment: 64)
        defer { target.deallocate() }
        target.initializeMemory(as: UInt8.self, repeating: guardByte)
        ChecksumTests.data.withUnsafeBytes { all in
            for (offset, length) in lengths {
                let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                let zlib = zlibCRC32(slice).bigEndianBytes
                var summed = CRC32(fold: fold)
                summed.update(slice)
                #expect(summed.finalize() == zlib, "fold \(fold), offset \(offset), length \(length)")
                for misalignment in [0, 1, 16, 40, 63] {
                    let at = margin + misalignment
                    var copying = CRC32(fold: fold)
                    copying.update(slice, copyingTo: target.baseAddress! + at)
                    let label = "fold \(fold), offset \(offset), length \(length), destination 64n + \(misalignment)"
                    #expect(copying.finalize() == zlib, "\(label): checksum")
                    #expect(target[at..<(at + length)].elementsEqual(slice), "\(label): the copy")
                    #expect(target[0..<at].allSatisfy { $0 == guardByte } && target[(at + length)..<(at + length + margin)].allSatisfy { $0 == guardByte },
                            "\(label): written outside the copy")
                    UnsafeMutableRawBufferPointer(rebasing: target[at..<(at + length)]).initializeMemory(as: UInt8.self, repeating: guardByte)
                }
            }
        }
    }

    @Test func crc32StreamsInAnyPieces() {
        var rng = SeededRandom(seed: 3)
        ChecksumTests.data.withUnsafeBytes { all in
            var streamed = CRC32()
            var i = 0
            while i < all.count {
                let n = Swift.min(all.count - i, Int(rng.next() % 5000))
                streamed.update(UnsafeRawBufferPointer(rebasing: all[i..<(i + n)]))
                i += n
            }
            #expect(streamed.finalize() == zlibCRC32(all).bigEndianBytes)
        }
    }

    @Test func crc32cHardwareMatchesTheTable() {
        ChecksumTests.data.withUnsafeBytes { all in
            for (offset, length) in [(0, 0), (1, 1), (3, 7), (5, 8), (0, 9), (7, 63), (2, 1000), (0, 1 << 20)] {
                let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                var fast = CRC32C(), table = CRC32C()
                fast.update(slice)
                table.update(portable: slice)
                #expect(fast.finalize() == table.finalize(), "offset \(offset), length \(length)")
            }
        }
    }

    @Test func hexReadsBackWhatItWrites() {
        let bytes: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]
        #expect(bytes.hex == "00017f80abff")
        #expect([UInt8](hex: bytes.hex) == bytes)
        #expect([UInt8](hex: "00017F80ABFF") == bytes)
        #expect([UInt8](hex: "") == [])
        #expect([UInt8](hex: "abc") == nil, "an odd number of digits")
        #expect([UInt8](hex: "0g") == nil)
        #expect([UInt8](hex: "\"00\"") == nil)
    }
}

/// zlib's own CRC-32 of `bytes`, the reference the fast paths must match.
func zlibCRC32(_ bytes: some Collection<UInt8>) -> UInt32 {
    Array(bytes).withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
}
