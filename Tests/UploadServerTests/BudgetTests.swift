import Filters
import Foundation
import TestSupport
import Testing

/// `maxBufferedBytes` far below what the uploads in flight would like: they wait their turn, and
/// every one finishes (charged granule by granule, their first parts once held the whole budget
/// half-filled and waited for each other until the clients gave up).
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
final class BudgetTests {
    let s3 = S3TestEnvironment.current!
    let prefix = S3TestEnvironment.prefix()
    let server: ServerProcess
    let client: S3Client

    init() async throws {
        server = try ServerProcess(yaml: """
            server: { host: 127.0.0.1, port: 0, maxBufferedBytes: 8MiB }
            storage: { type: s3, bucket: \(s3.bucket), partSize: 5MiB, concurrency: 2, keyTemplate: "\(prefix){uuid}/{filename}" }
            routes:
              - { path: /upload, chain: c }
            chains:
              c: [hash]
            """)
        client = try s3.client()
    }

    deinit {
        let client = self.client
        Task { try? await client.shutdown() }
    }

    @Test func moreUploadsThanTheBudgetHoldsAllFinish() async throws {
        let url = server.url
        // Six uploads of three parts each: their first granules alone are six of the eight MiB.
        let results = try await withThrowingTaskGroup(of: (Int, Answer, String).self) { group in
            for i in 0..<6 {
                group.addTask {
                    var rng = SeededRandom(seed: UInt64(300 + i))
                    let content = rng.bytes(11 << 20)
                    let form = FormBody(parts: [.init(name: "file", filename: "b\(i).bin", body: content)])
                    let answer = try await HTTP.post(url + "/upload", form: form)
                    return (i, answer, DigestAlgorithm.sha256.digest(content.withUnsafeBytes { $0 }).hex)
                }
            }
            var all: [(Int, Answer, String)] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 6)
        for (i, answer, sha) in results {
            #expect(answer.status == 201, "upload \(i): \(answer.body)")
            let key = try #require(answer.files.first?["key"] as? String)
            #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == sha, "upload \(i)")
        }
        #expect(try await client.listMultipartUploads(bucket: s3.bucket).filter { $0.key.hasPrefix(prefix) }.isEmpty)
    }
}
