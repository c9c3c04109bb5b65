import Checksums
import Filters
import S3
import Foundation
import NIOCore
import TestSupport
import Testing

/// Start-up: clear errors and exit status 2 before serving anything.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason))
struct StartupTests {
    let s3 = S3TestEnvironment.current!

    func yaml(bucket: String? = nil, extra: String = "") -> String {
        """
        server: { port: 0 }
        storage: { type: s3, bucket: \(bucket ?? s3.bucket)\(extra) }
        routes:
          - { path: /upload, chain: c }
        chains:
          c: [magic]
        """
    }

    @Test func missingCredentials() throws {
        let result = try runServer(yaml: yaml(), environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        #expect(result.status == 2)
        #expect(result.stderr.contains("storage: no AWS credentials"))
    }

    @Test func wrongCredentials() throws {
        let result = try runServer(yaml: yaml(), environment: ["AWS_SECRET_ACCESS_KEY": "wrong"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bucket \(s3.bucket) is not usable: 403"))
    }

    @Test func missingBucket() throws {
        let result = try runServer(yaml: yaml(bucket: "no-such-bucket-here"))
        #expect(result.status == 2)
        #expect(result.stderr.contains("bucket no-such-bucket-here is not usable: 404"))
    }

    @Test func badConfig() throws {
        let result = try runServer(yaml: "server: { port: 80000 }\nchains:\n  c: [magic]\n")
        #expect(result.status == 2)
        #expect(result.stderr.contains("sluice.yaml:1: server.port: 80000 is out of range"))
    }

    @Test func noStorageOrRoutes() throws {
        #expect(try runServer(yaml: "chains:\n  c: [magic]\n").stderr.contains("no storage: section"))
        #expect(try runServer(yaml: "storage: { type: discard }\nchains:\n  c: [magic]\n").stderr.contains("no routes"))
    }

    @Test func unreachableStorage() throws {
        let result = try runServer(yaml: yaml(extra: ", endpoint: \"http://127.0.0.1:1\""))
        #expect(result.status == 2)
        #expect(result.stderr.contains("does not answer"))
    }
}
