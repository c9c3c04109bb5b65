import Checksums
import Filters
import S3
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
        // Six uploads of three parts each: their first granules alone are six of the eight MiB.
        try await uploadConcurrently(to: server.url + "/upload", sizes: Array(repeating: 11 << 20, count: 6), seed: 300, name: "b", s3: s3, client: client)
        #expect(try await client.listMultipartUploads(bucket: s3.bucket).filter { $0.key.hasPrefix(prefix) }.isEmpty)
    }
}
