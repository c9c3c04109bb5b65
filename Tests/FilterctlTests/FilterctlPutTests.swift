import Filters
@testable import S3
import Foundation
import TestSupport
import Testing

/// `filterctl put` as users run it, into the test S3 endpoint.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
struct FilterctlPutTests {
    let s3 = S3TestEnvironment.current!

    var environment: [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/nonexistent",
            "AWS_ENDPOINT_URL": s3.endpoint, "AWS_REGION": s3.region,
            "AWS_ACCESS_KEY_ID": s3.accessKeyId, "AWS_SECRET_ACCESS_KEY": s3.secretAccessKey,
        ]
    }

    /// A scratch directory with a config whose keys all start with a fresh prefix.
    func scratch(_ fixtures: [String]) throws -> (FilterctlTests.Scratch, String) {
        let scratch = try FilterctlTests.Scratch(fixtures)
        let prefix = S3TestEnvironment.prefix()
        try scratch.write("sluice.yaml", """
            storage: { type: s3, bucket: \(s3.bucket), keyTemplate: "\(prefix){uuid}/{filename}" }
            chains:
              images:
                - magic: { allow: [image/*] }
                - disposition: {}
                - hash: { algorithms: [sha256] }
            """)
        return (scratch, prefix)
    }

    func filterctl(_ arguments: [String], in scratch: FilterctlTests.Scratch, environment: [String: String]? = nil) throws -> ProcessResult {
        try runProcess(FilterctlTests.binary, arguments, directory: scratch.path, environment: environment ?? self.environment)
    }

    @Test func putStoresAndReports() async throws {
        let (scratch, prefix) = try scratch(["image.png", "photo.jpg"])
        let result = try filterctl(["put", "--json", "image.png", "photo.jpg"], in: scratch)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try result.text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(lines.count == 2)
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        for (line, name) in zip(lines, ["image.png", "photo.jpg"]) {
            let key = try #require(line["key"] as? String)
            #expect(key.hasPrefix(prefix) && key.hasSuffix("/" + name))
            #expect(line["bucket"] as? String == s3.bucket)
            #expect((line["etag"] as? String)?.isEmpty == false)
            #expect(line["size"] as? Int == (try Fixtures.bytes(name)).count)
            #expect(line["accepted"] as? Bool == true)
            let (sha, _) = try await client.sha256(bucket: s3.bucket, key: key)
            #expect(sha == (line["digests"] as? [String: String])?["sha256"])
            let head = try await client.headObject(bucket: s3.bucket, key: key)
            #expect(head.contentType == line["contentType"] as? String)
            #expect(head.contentDisposition == line["contentDisposition"] as? String)
        }
    }

    @Test func aRejectedFileStoresNothing() async throws {
        let (scratch, prefix) = try scratch(["page.html"])
        let result = try filterctl(["put", "--json", "--content-type", "image/png", "page.html"], in: scratch)
        #expect(result.status == 1)
        #expect(result.text.contains("\"code\":\"type_not_allowed\""))
        #expect(result.text.contains("\"key\":null"))
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        #expect(try await client.keys(bucket: s3.bucket, prefix: prefix).isEmpty)
        #expect(try await client.listMultipartUploads(bucket: s3.bucket).filter { $0.key.hasPrefix(prefix) }.isEmpty)
    }

    @Test func missingCredentialsAreAClearErrorBeforeAnyUpload() throws {
        let (scratch, _) = try scratch(["image.png"])
        var environment = self.environment
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        let result = try filterctl(["put", "image.png"], in: scratch, environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("storage: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
        #expect(result.text.isEmpty)
    }

    @Test func wrongCredentialsAreAStorageError() throws {
        let (scratch, _) = try scratch(["image.png"])
        var environment = self.environment
        environment["AWS_SECRET_ACCESS_KEY"] = "wrong"
        let result = try filterctl(["put", "image.png"], in: scratch, environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("403 SignatureDoesNotMatch"))
    }

    @Test func putWithoutStorageIsAUsageError() throws {
        let scratch = try FilterctlTests.Scratch(["image.png"])
        let result = try filterctl(["put", "image.png"], in: scratch)
        #expect(result.status == 2)
        #expect(result.stderr.contains("has no storage: section"))
    }
}
