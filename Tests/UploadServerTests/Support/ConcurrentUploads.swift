import Checksums
import Filters
import S3
import NIOCore
import TestSupport
import Testing

/// Posts one file of each of `sizes` at once (seeded random bytes, named `<name><i>.bin`), then
/// checks that every answer is 201 and every stored object has the content that was sent.
func uploadConcurrently(to url: String, sizes: [Int], seed: UInt64, name: String, s3: S3TestEnvironment, client: S3Client) async throws {
    let results = try await withThrowingTaskGroup(of: (Int, Answer, String).self) { group in
        for (i, size) in sizes.enumerated() {
            group.addTask {
                var rng = SeededRandom(seed: seed + UInt64(i))
                let content = rng.bytes(size)
                let form = FormBody(parts: [.init(name: "file", filename: "\(name)\(i).bin", body: content)])
                let answer = try await HTTP.post(url, form: form)
                return (i, answer, DigestAlgorithm.sha256.digest(content.withUnsafeBytes { $0 }).hex)
            }
        }
        var all: [(Int, Answer, String)] = []
        for try await result in group { all.append(result) }
        return all
    }
    #expect(results.count == sizes.count)
    for (i, answer, sha) in results {
        #expect(answer.status == 201, "upload \(i): \(answer.body)")
        let key = try #require(answer.files.first?["key"] as? String)
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha, "upload \(i)")
    }
}
