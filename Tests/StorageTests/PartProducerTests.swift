import Filters
import NIOCore
@testable import S3
@testable import Storage
import TestSupport
import Testing

/// Parts carry the S3 checksum of their bytes, taken as the bytes were copied in, whatever the
/// chunks' sizes and however they fall across parts; MD5 and SHA-256 are left to the part's
/// upload (`S3SinkTests.everyChecksumIsAccepted` checks those against S3).
@Suite struct PartProducerTests {
    @Test(arguments: S3Checksum.allCases)
    func eachPartsDigestIsTheChecksumOfItsBytes(checksum: S3Checksum) async throws {
        let partSize = 256 << 10
        var rng = SeededRandom(seed: 11)
        let bytes = rng.bytes(3 * partSize + 12_345)
        // Chunks of uneven sizes, from 1 byte to more than a part, so that some cross parts.
        var chunks: [ByteBuffer] = []
        var start = 0
        for size in [1, 15, 64, 100_000, 200_003, 7, partSize + 31, 4096].cycled() {
            guard start < bytes.count else { break }
            let end = Swift.min(bytes.count, start + size)
            chunks.append(ByteBuffer(bytes: bytes[start..<end]))
            start = end
        }
        var body = try ChainOutput(chain: Chain(name: "none", steps: []), upload: Upload(), source: Chunks(chunks))
        var producer = PartProducer(partSize: partSize, budget: nil, pool: nil, checksum: checksum)
        var joined: [UInt8] = []
        var count = 0
        while var part = try await producer.next(from: &body) {
            count += 1
            switch checksum {
            case .crc32, .crc32c:
                let expected = checksum.digest.map { algorithm in part.bytes.withUnsafeReadableBytes { algorithm.digest($0) } }
                #expect(part.digest == expected, "part \(count)")
            case .md5, .sha256, .none:
                #expect(part.digest == nil, "part \(count): taken by the upload, not the copy")
            }
            joined += part.bytes.readableBytesView
            part.release()
        }
        #expect(count == 4)
        #expect(joined == bytes)
    }
}

extension Array {
    /// The elements over and over.
    fileprivate func cycled() -> some Sequence<Element> { (0...).lazy.map { self[$0 % count] } }
}
