import Foundation
@testable import S3
import TestSupport
import Testing

/// The worked examples of AWS's "Signature Calculations for the Authorization Header:
/// Transferring Payload in a Single Chunk" (S3 API reference), key AKIAIOSFODNN7EXAMPLE.
@Suite struct SigV4SignerTests {
    static let signer = SigV4Signer(
        credentials: S3Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    static let host = ("host", "examplebucket.s3.amazonaws.com")

    func authorization(_ request: SigV4Signer.Request) -> String {
        SigV4SignerTests.signer.sign(request, date: SigV4SignerTests.date).first { $0.name == "authorization" }!.value
    }

    @Test func getObject() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/test.txt", headers: [SigV4SignerTests.host, ("Range", "bytes=0-9")], payloadHash: SigV4Signer.emptyPayloadHash)
        let (canonical, _) = SigV4SignerTests.signer.canonicalRequest(
            SigV4Signer.Request(
                method: "GET", path: "/test.txt",
                headers: [SigV4SignerTests.host, ("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z")],
                payloadHash: SigV4Signer.emptyPayloadHash))
        #expect(SigV4Signer.hexSHA256(Array(canonical.utf8)) == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        #expect(authorization(request) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObject() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = SigV4Signer.hexSHA256(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = SigV4Signer.Request(
            method: "PUT", path: "/" + URIEncoding.encodePath("test$file.text"),
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), SigV4SignerTests.host, ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: hash)
        #expect(request.path == "/test%24file.text")
        #expect(authorization(request) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycle() {
        let request = SigV4Signer.Request(
            method: "GET", path: "/", query: [("lifecycle", nil)], headers: [SigV4SignerTests.host], payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(authorization(request) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjects() {
        // Query parameters given out of order: the canonical query sorts them.
        let request = SigV4Signer.Request(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [SigV4SignerTests.host], payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(authorization(request) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func sessionTokenIsSentAndSigned() {
        var signer = SigV4SignerTests.signer
        signer.credentials.sessionToken = "token/with+chars="
        let headers = signer.sign(
            SigV4Signer.Request(method: "GET", path: "/k", headers: [SigV4SignerTests.host], payloadHash: SigV4Signer.unsignedPayload),
            date: SigV4SignerTests.date)
        #expect(headers.contains { $0.name == "x-amz-security-token" && $0.value == "token/with+chars=" })
        #expect(headers.last!.value.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
    }

    @Test func keysAreEncodedOncePerRFC3986() {
        #expect(URIEncoding.encodePath("photos/my file+1%.jpg") == "photos/my%20file%2B1%25.jpg")
        #expect(URIEncoding.encodePath("!'()*") == "%21%27%28%29%2A")
        #expect(URIEncoding.encodePath("résumé/日本.txt") == "r%C3%A9sum%C3%A9/%E6%97%A5%E6%9C%AC.txt")
        #expect(URIEncoding.encodePath("a-b_c.d~e") == "a-b_c.d~e")
        #expect(URIEncoding.encode("a/b") == "a%2Fb")
        #expect(URIEncoding.canonicalQuery([("uploads", nil), ("prefix", "a b")]) == "prefix=a%20b&uploads=")
    }

    @Test func headersAreCanonicalized() {
        let (canonical, signed) = SigV4SignerTests.signer.canonicalRequest(
            SigV4Signer.Request(method: "PUT", path: "/k", headers: [("Host", "h"), ("X-Amz-Meta-A", "  one   two "), ("x-amz-meta-a", "three")], payloadHash: "UNSIGNED-PAYLOAD"))
        #expect(signed == "host;x-amz-meta-a")
        #expect(canonical == "PUT\n/k\n\nhost:h\nx-amz-meta-a:one two,three\n\nhost;x-amz-meta-a\nUNSIGNED-PAYLOAD")
    }

    @Test func timestamps() {
        #expect(SigV4Signer.timestamps(SigV4SignerTests.date) == ("20130524T000000Z", "20130524"))
        #expect(SigV4Signer.timestamps(Date(timeIntervalSince1970: 951_782_399)) == ("20000228T235959Z", "20000228"))
        #expect(SigV4Signer.timestamps(Date(timeIntervalSince1970: 951_868_800)) == ("20000301T000000Z", "20000301"))
    }

    @Test func endpoints() throws {
        let aws = S3Endpoint.aws(region: "eu-west-1")
        #expect(aws.location(bucket: "uploads", key: "a b") == ("uploads.s3.eu-west-1.amazonaws.com", "/a%20b"))
        // A dotted bucket cannot be a TLS-valid host name: path style.
        #expect(aws.location(bucket: "my.bucket", key: "k") == ("s3.eu-west-1.amazonaws.com", "/my.bucket/k"))
        let minio = try S3Endpoint.custom("http://127.0.0.1:9000", pathStyle: true)
        #expect(minio.location(bucket: "uploads", key: "x/y+z") == ("127.0.0.1:9000", "/uploads/x/y%2Bz"))
        #expect(minio.location(bucket: "uploads", key: nil) == ("127.0.0.1:9000", "/uploads"))
        #expect(try S3Endpoint.custom("https://s3.example.com:443/", pathStyle: false).location(bucket: "bkt", key: "k") == ("bkt.s3.example.com", "/k"))
        #expect(throws: S3SetupError.self) { try S3Endpoint.custom("127.0.0.1:9000", pathStyle: true) }
        #expect(throws: S3SetupError.self) { try S3Endpoint.custom("http://h:9000/path", pathStyle: true) }
    }

    @Test func credentialChain() throws {
        let configured = S3Credentials(accessKeyId: "A", secretAccessKey: "B", source: "config")
        // The environment wins over the config file; the config over the shared file.
        #expect(try CredentialChain.resolve(configured: configured, environment: ["AWS_ACCESS_KEY_ID": "X", "AWS_SECRET_ACCESS_KEY": "Y"]).accessKeyId == "X")
        #expect(try CredentialChain.resolve(configured: configured, environment: ["HOME": "/nonexistent"]) == configured)
        let fromEnv = try CredentialChain.resolve(configured: nil, environment: ["AWS_ACCESS_KEY_ID": "X", "AWS_SECRET_ACCESS_KEY": "Y", "AWS_SESSION_TOKEN": "T"])
        #expect(fromEnv.accessKeyId == "X" && fromEnv.sessionToken == "T" && fromEnv.source == "environment")
        #expect(throws: S3SetupError.self) { try CredentialChain.resolve(configured: nil, environment: ["AWS_ACCESS_KEY_ID": "X", "HOME": "/nonexistent"]) }

        let directory = try ScratchDirectory("aws")
        let file = directory.file("credentials").path
        try "# comment\n[default]\naws_access_key_id = DEF\naws_secret_access_key = SEC\n\n[work]\naws_access_key_id=WK\naws_secret_access_key=WS\naws_session_token = WT\n".write(toFile: file, atomically: true, encoding: .utf8)
        let environment = ["AWS_SHARED_CREDENTIALS_FILE": file]
        #expect(try CredentialChain.resolve(configured: nil, environment: environment).accessKeyId == "DEF")
        let work = try CredentialChain.resolve(configured: nil, environment: environment.merging(["AWS_PROFILE": "work"]) { $1 })
        #expect(work.accessKeyId == "WK" && work.sessionToken == "WT" && work.source == "\(file) [work]")
        #expect {
            try CredentialChain.resolve(configured: nil, environment: environment.merging(["AWS_PROFILE": "nope"]) { $1 })
        } throws: { error in
            "\(error)".hasPrefix("no AWS credentials")
        }
    }

    @Test func regionAndEndpointFromEnvironment() {
        #expect(CredentialChain.region(configured: nil, environment: ["AWS_DEFAULT_REGION": "eu-north-1", "HOME": "/nonexistent"]) == "eu-north-1")
        #expect(CredentialChain.region(configured: "ap-south-1", environment: ["AWS_REGION": "x"]) == "ap-south-1")
        #expect(CredentialChain.endpoint(environment: ["AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_S3": "http://b"]) == "http://b")
    }
}
