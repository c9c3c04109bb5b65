import Checksums
@testable import Filters
import NIOCore
import TestSupport
import Testing

@Suite struct HashTests {
    static let check = [UInt8]("123456789".utf8)

    @Test func knownVectors() async throws {
        let chain = try Chain.from("- hash: { algorithms: [sha256, sha1, md5, crc32, crc32c] }")
        let (result, all) = try await chain.runAllChunkings(HashTests.check)
        #expect(Set(all.values.map(\.upload.digests)).count == 1)
        let digests = result.upload.digests
        #expect(digests["sha256"] == "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225")
        #expect(digests["sha1"] == "f7c3bc1d808e04732adf679965ccc34ca7ae3441")
        #expect(digests["md5"] == "25f9e794323b453885f5181f1b624d0b")
        // The CRC catalogue's check values for CRC-32 and CRC-32C.
        #expect(digests["crc32"] == "cbf43926")
        #expect(digests["crc32c"] == "e3069283")
        #expect(digests.map(\.algorithm) == ["sha256", "sha1", "md5", "crc32", "crc32c"])
        #expect(result.output == HashTests.check)
    }

    @Test func emptyInput() async throws {
        let chain = try Chain.from("- hash: { algorithms: [sha256, crc32c] }")
        let result = try await chain.run([])
        #expect(result.upload.digests["sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(result.upload.digests["crc32c"] == "00000000")
    }

    @Test func chunkingDoesNotChangeDigestsOfLargeInput() async throws {
        var rng = SeededRandom(seed: 7)
        let bytes = rng.bytes(200_003)
        let chain = try Chain.from("- hash: { algorithms: [sha256, sha1, md5, crc32, crc32c] }")
        let (_, all) = try await chain.runAllChunkings(bytes)
        #expect(Set(all.values.map(\.upload.digests)).count == 1)
        // crc32c slicing-by-8 against the bitwise definition.
        #expect(all[.whole]!.upload.digests["crc32c"] == HashTests.bitwiseCRC32C(bytes))
    }

    static func bitwiseCRC32C(_ bytes: [UInt8]) -> String {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return String(crc ^ 0xFFFF_FFFF, radix: 16).leftPad(8)
    }

    @Test func hashAfterGzipDigestsWhatIsStored() async throws {
        let text = [UInt8](String(repeating: "stored bytes differ from the original\n", count: 100).utf8)
        let before = try Chain.from("""
            - magic: {}
            - hash: { algorithms: [sha256] }
            - gzip: {}
            """)
        let after = try Chain.from("""
            - magic: {}
            - gzip: {}
            - hash: { algorithms: [sha256] }
            """)
        let original = try await before.run(text, upload: Upload(declaredType: "text/plain"))
        let stored = try await after.run(text, upload: Upload(declaredType: "text/plain"))
        #expect(original.upload.digests["sha256"] == DigestAlgorithm.sha256.digest(text).hex)
        #expect(stored.upload.digests["sha256"] == DigestAlgorithm.sha256.digest(stored.output).hex)
        #expect(original.upload.digests["sha256"] != stored.upload.digests["sha256"])
    }
}

extension DigestAlgorithm {
    func digest(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { digest($0) } }
}

extension String {
    func leftPad(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
