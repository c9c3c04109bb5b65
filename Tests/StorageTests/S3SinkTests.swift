import Checksums
import Filters
import Foundation
import NIOCore
@testable import S3
@testable import Storage
import TestSupport
import Testing

/// The S3 sink against a real S3-speaking endpoint (see ``S3TestEnvironment``).
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
struct S3SinkTests {
    let s3 = S3TestEnvironment.current!
    static let mib = 1 << 20
    static let chain = """
        - magic: {}
        - disposition: {}
        - hash: { algorithms: [sha256] }
        """

    /// Stores `bytes` through `chain` under `key` and returns the outcome.
    func store(_ bytes: ByteBuffer, key: String, chain steps: String = S3SinkTests.chain, filename: String? = nil, declaredType: String? = nil,
               settings: S3UploadSettings? = nil, client: S3Client? = nil) async throws -> (Chain.Outcome, S3Client) {
        let given = client
        let client = try given ?? s3.client()
        let sink = S3Sink(client: client, settings: settings ?? s3.settings())
        let upload = Upload(declaredType: declaredType, filename: filename ?? (key as NSString).lastPathComponent, declaredLength: Int64(bytes.readableBytes))
        do {
            let outcome = try await Chain.from(steps).run(upload, from: Slices(buffer: bytes, chunk: 64 << 10), into: sink, key: key)
            return (outcome, client)
        } catch {
            if given == nil { try await client.shutdown() }
            throw error
        }
    }

    @Test(arguments: [0, 1, 5 * mib, 5 * mib + 1, 5 * mib * 7 / 2, 50 * mib])
    func sizesReadBackIntact(size: Int) async throws {
        let bytes = try randomBytes(size)
        let key = S3TestEnvironment.prefix() + "size-\(size).bin"
        let (outcome, client) = try await store(bytes, key: key)
        defer { Task { try? await client.shutdown() } }
        let stored = try #require(outcome.stored, "\(outcome.report.rejection?.description ?? "")")
        #expect(stored.size == Int64(size))
        #expect(stored.parts == Swift.max(1, (size + 5 * S3SinkTests.mib - 1) / (5 * S3SinkTests.mib)))
        #expect(stored.bucket == s3.bucket)
        #expect(stored.etag?.isEmpty == false)
        let (sha, info) = try await client.sha256(bucket: s3.bucket, key: key)
        #expect(sha == bytes.sha256)
        #expect(sha == outcome.report.upload.digests["sha256"])
        #expect(info.contentLength == Int64(size))
        let head = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(head.contentType == outcome.report.upload.contentType)
        #expect(head.contentDisposition == "attachment; filename=\"size-\(size).bin\"; filename*=UTF-8''size-\(size).bin")
        #expect(head.contentEncoding == nil)
    }

    @Test(arguments: ["with space.txt", "nested/dir/file.txt", "dots..and~tilde-_.txt"])
    func plainKeys(name: String) async throws {
        try await roundTrip(name)
    }

    @Test(.enabled(if: S3TestEnvironment.current?.strict == true, S3TestEnvironment.notStrictReason),
          arguments: ["plus+sign.txt", "percent%20literal 100%.txt", "ünïcödé 日本語.txt", "bang!quote'paren(x)star*.txt", "a=b&c;d@e,f:g.txt", "[brackets] {braces}.txt"])
    func keysThatNeedCareInTheSignature(name: String) async throws {
        try await roundTrip(name)
    }

    func roundTrip(_ name: String) async throws {
        let bytes = ByteBuffer(bytes: Array("content of \(name)\n".utf8))
        let key = S3TestEnvironment.prefix() + name
        let (outcome, client) = try await store(bytes, key: key, declaredType: "text/plain")
        defer { Task { try? await client.shutdown() } }
        #expect(outcome.stored?.key == key)
        let (sha, _) = try await client.sha256(bucket: s3.bucket, key: key)
        #expect(sha == bytes.sha256)
        let head = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(head.contentType == "text/plain; charset=utf-8")
        let basename = (name as NSString).lastPathComponent
        #expect(head.contentDisposition == ContentDisposition.header(.attachment, filename: basename))
        // The multipart path signs the same key in four more calls.
        let big = try randomBytes(6 * S3SinkTests.mib)
        let (multipart, _) = try await store(big, key: key + ".bin", client: client)
        #expect(multipart.stored?.parts == 2)
        #expect(try await client.sha256(bucket: s3.bucket, key: key + ".bin").0 == big.sha256)
    }

    @Test func headersFromTheChainAndTheConfig() async throws {
        let text = ByteBuffer(bytes: Array(String(repeating: "Grüße aus dem Eimer.\n", count: 400_000).utf8))
        let key = S3TestEnvironment.prefix() + "notes.txt"
        let settings = s3.settings {
            $0.cacheControl = "private, max-age=60"
            $0.storageClass = "STANDARD_IA"
            $0.metadata = [("origin", "sluice-test")]
        }
        let (outcome, client) = try await store(
            text, key: key, chain: "- magic: {}\n- disposition: {}\n- gzip: {}\n- hash: { algorithms: [sha256] }",
            filename: "Notizen für Zoë.txt", declaredType: "text/plain", settings: settings)
        defer { Task { try? await client.shutdown() } }
        let stored = try #require(outcome.stored)
        #expect(stored.parts == 1 || stored.size > 5 << 20)
        let head = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(head.contentType == "text/plain; charset=utf-8")
        #expect(head.contentEncoding == "gzip")
        #expect(head.contentDisposition == "attachment; filename=\"Notizen fur Zoe.txt\"; filename*=UTF-8''Notizen%20f%C3%BCr%20Zo%C3%AB.txt")
        #expect(head.cacheControl == "private, max-age=60")
        #expect(head.metadata["origin"] == "sluice-test")
        #expect(head.contentLength == stored.size)
        var compressed: [UInt8] = []
        try await client.getObject(bucket: s3.bucket, key: key) { compressed += $0.readableBytesView }
        #expect(try gunzip(compressed) == Array(text.readableBytesView))
        #expect(DigestAlgorithm.sha256.digest(compressed).hex == outcome.report.upload.digests["sha256"])
    }

    @Test func rejectionInPartThreeLeavesNothing() async throws {
        let key = S3TestEnvironment.prefix() + "too-big.bin"
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        let log = RequestLog(client)
        // Parts of 5 MiB; the limit falls in the middle of part 3. No declared length, so the
        // limit is met mid-stream rather than up front.
        let sink = S3Sink(client: client, settings: s3.settings())
        let outcome = try await Chain.from("- size-limit: { max: 12.5MiB }").run(
            Upload(filename: "too-big.bin"), from: Slices(buffer: try randomBytes(20 * S3SinkTests.mib), chunk: 64 << 10), into: sink, key: key)
        #expect(outcome.report.rejection?.code == "size_exceeded")
        #expect(log.count("CreateMultipartUpload") == 1)
        #expect(log.count("UploadPart") == 2)
        #expect(log.count("AbortMultipartUpload") == 1)
        #expect(log.count("CompleteMultipartUpload") == 0)
        #expect(try await client.nothingLeft(bucket: s3.bucket, key: key))
    }

    @Test func wrongCredentialsFailAtOnceWithAClearError() async throws {
        let client = try s3.client(secret: "not-the-secret", attempts: 3)
        defer { Task { try? await client.shutdown() } }
        let log = RequestLog(client)
        for size in [1024, 6 * S3SinkTests.mib] {
            await #expect {
                _ = try await store(try randomBytes(size), key: S3TestEnvironment.prefix() + "x.bin", client: client)
            } throws: { error in
                let error = try #require(error as? S3Error)
                return error.status == 403 && error.code == "SignatureDoesNotMatch" && "\(error)".contains("SignatureDoesNotMatch")
            }
        }
        // One request each: a 403 is never retried.
        #expect(log.count("PutObject") == 1)
        #expect(log.count("CreateMultipartUpload") == 1)
        #expect(log.all.count == 2)
    }

    @Test func cancellingMidUploadAbortsIt() async throws {
        let key = S3TestEnvironment.prefix() + "cancelled.bin"
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        let log = RequestLog(client)
        let sink = S3Sink(client: client, settings: s3.settings())
        let slow = Slices(buffer: try randomBytes(40 * S3SinkTests.mib), chunk: 1 << 20, pause: .milliseconds(30))
        let chain = try Chain.from("- hash: { algorithms: [sha256] }")
        let upload = Task { try await chain.run(Upload(filename: "cancelled.bin"), from: slow, into: sink, key: key) }
        // Cancel once a part is in S3.
        while !log.all.contains(where: { $0.operation == "UploadPart" && $0.status == 200 }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        upload.cancel()
        await #expect(throws: CancellationError.self) { _ = try await upload.value }
        #expect(log.count("AbortMultipartUpload") == 1)
        #expect(try await client.nothingLeft(bucket: s3.bucket, key: key))
    }

    /// S3 says in UploadPart's answer when it encrypted the part with a KMS key, whose ETag is
    /// then not its MD5 (moto says so as AWS does, without changing the ETag).
    @Test(arguments: [("AES256", true), ("aws:kms", false)])
    func aPartsAnswerSaysWhetherItsETagIsItsMD5(encryption: String, etagIsMD5: Bool) async throws {
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        let key = S3TestEnvironment.prefix() + "sealed.bin"
        let id = try await client.createMultipartUpload(
            bucket: s3.bucket, key: key, attributes: ObjectAttributes(serverSideEncryption: encryption), checksum: .none)
        let part = try await client.uploadPart(bucket: s3.bucket, key: key, uploadId: id, number: 1, body: ByteBuffer(string: "sealed"), checksum: .none)
        try await client.abortMultipartUpload(bucket: s3.bucket, key: key, uploadId: id)
        #expect(part.etagIsMD5 == etagIsMD5)
    }

    @Test(arguments: S3Checksum.allCases)
    func everyChecksumIsAccepted(checksum: S3Checksum) async throws {
        let bytes = try randomBytes(11 * S3SinkTests.mib + 17)
        let key = S3TestEnvironment.prefix() + "checksum-\(checksum.rawValue).bin"
        let (outcome, client) = try await store(bytes, key: key, settings: s3.settings { $0.checksum = checksum })
        defer { Task { try? await client.shutdown() } }
        #expect(outcome.stored?.parts == 3)
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == bytes.sha256)
        let small = ByteBuffer(bytes: Array("tiny".utf8))
        let (single, _) = try await store(small, key: key + ".small", settings: s3.settings { $0.checksum = checksum }, client: client)
        #expect(single.stored?.parts == 1)
    }

    @Test func partLimitFailsCleanlyInsteadOfTruncating() async throws {
        let key = S3TestEnvironment.prefix() + "limit.bin"
        let client = try s3.client()
        defer { Task { try? await client.shutdown() } }
        let sink = S3Sink(client: client, settings: s3.settings { $0.maximumParts = 3 })
        await #expect {
            _ = try await Chain.from("- hash: {}").run(Upload(), from: Slices(buffer: try randomBytes(16 * S3SinkTests.mib), chunk: 1 << 20), into: sink, key: key)
        } throws: { error in
            "\(error)" == "the upload needs more than 3 parts of 5 MiB (S3's limit); raise storage.partSize"
        }
        #expect(try await client.nothingLeft(bucket: s3.bucket, key: key))
    }

    @Test(.enabled(if: S3TestEnvironment.current?.strict == true, S3TestEnvironment.notStrictReason))
    func signedPayloadsAreVerified() async throws {
        // With signPayload, x-amz-content-sha256 is each body's SHA-256, which strict_moto checks.
        var configuration = S3Client.Configuration(endpoint: try S3Endpoint.custom(s3.endpoint, pathStyle: true), region: s3.region, credentials: s3.credentials)
        configuration.signPayload = true
        let client = S3Client(configuration)
        defer { Task { try? await client.shutdown() } }
        let bytes = try randomBytes(7 << 20)
        let key = S3TestEnvironment.prefix() + "signed.bin"
        let (outcome, _) = try await store(bytes, key: key, client: client)
        #expect(outcome.stored?.parts == 2)
        #expect(try await client.sha256(bucket: s3.bucket, key: key).0 == bytes.sha256)
    }

    @Test func removeDeletesAStoredObject() async throws {
        let key = S3TestEnvironment.prefix() + "gone.txt"
        let (outcome, client) = try await store(ByteBuffer(string: "bye"), key: key)
        defer { Task { try? await client.shutdown() } }
        try await S3Sink(client: client, settings: s3.settings()).remove(try #require(outcome.stored))
        #expect(try await client.nothingLeft(bucket: s3.bucket, key: key))
    }
}
