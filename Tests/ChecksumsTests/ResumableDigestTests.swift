import Checksums
import Crypto
import TestSupport
import Testing

/// Every digest saved part-way, carried as bytes and taken up by a fresh one gives the digest of
/// the whole; libcrypto's digests agree with swift-crypto's.
@Suite struct ResumableDigestTests {
    static let data: [UInt8] = {
        var rng = SeededRandom(seed: 18)
        return rng.bytes(300_000)
    }()

    static func oneGo(_ algorithm: DigestAlgorithm, _ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.withUnsafeBytes { algorithm.digest($0) }
    }

    @Test(arguments: DigestAlgorithm.allCases)
    func savedAnywhereAndResumedGivesTheWholeDigest(algorithm: DigestAlgorithm) throws {
        let data = ResumableDigestTests.data
        let expected = ResumableDigestTests.oneGo(algorithm, data[...])
        // Block edges (64 bytes), inside a block, the first and last byte, and a random spread.
        var rng = SeededRandom(seed: 3)
        let cuts = [0, 1, 55, 63, 64, 65, 4096, data.count - 1, data.count] + (0..<20).map { _ in Int(rng.next() % UInt64(data.count)) }
        for cut in cuts {
            var first = algorithm.makeHasher()
            data[..<cut].withUnsafeBytes { first.update($0) }
            let state = first.savedState()
            var second = try algorithm.resumeHasher(from: state)
            data[cut...].withUnsafeBytes { second.update($0) }
            #expect(second.finalize() == expected, "\(algorithm) cut at \(cut)")
        }
    }

    @Test(arguments: DigestAlgorithm.allCases)
    func resumedManyTimesInSmallPieces(algorithm: DigestAlgorithm) throws {
        let data = ResumableDigestTests.data[..<10_000]
        var hasher = algorithm.makeHasher()
        var offset = 0
        var rng = SeededRandom(seed: 9)
        while offset < data.count {
            let end = min(data.count, offset + 1 + Int(rng.next() % 700))
            data[offset..<end].withUnsafeBytes { hasher.update($0) }
            hasher = try algorithm.resumeHasher(from: hasher.savedState())
            offset = end
        }
        #expect(hasher.finalize() == ResumableDigestTests.oneGo(algorithm, data))
    }

    @Test func libcryptoAgreesWithSwiftCrypto() {
        for length in [0, 1, 55, 56, 64, 1000, 300_000] {
            let slice = ResumableDigestTests.data[..<length]
            #expect(ResumableDigestTests.oneGo(.sha256, slice) == Array(SHA256.hash(data: slice)), "sha256 of \(length)")
            #expect(ResumableDigestTests.oneGo(.sha1, slice) == Array(Insecure.SHA1.hash(data: slice)), "sha1 of \(length)")
            #expect(ResumableDigestTests.oneGo(.md5, slice) == Array(Insecure.MD5.hash(data: slice)), "md5 of \(length)")
        }
    }

    @Test(arguments: DigestAlgorithm.allCases)
    func aStateOfAnotherShapeIsRefused(algorithm: DigestAlgorithm) {
        let state = algorithm.makeHasher().savedState()
        #expect(throws: DigestStateError.self) { try algorithm.resumeHasher(from: Array(state.dropLast())) }
        #expect(throws: DigestStateError.self) { try algorithm.resumeHasher(from: state + [0]) }
        #expect(throws: DigestStateError.self) { try algorithm.resumeHasher(from: []) }
    }

    @Test func aStateOfAnotherAlgorithmIsRefused() {
        let sha1 = DigestAlgorithm.sha1.makeHasher().savedState()
        #expect(throws: DigestStateError.self) { try DigestAlgorithm.sha256.resumeHasher(from: sha1) }
        #expect(throws: DigestStateError.self) { try DigestAlgorithm.md5.resumeHasher(from: sha1) }
    }
}
