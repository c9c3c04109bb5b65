import Foundation
import S3
import TestSupport
import Testing

/// Upload tokens (JWT) minted by PyJWT against UploadServer and the test S3: what a good token
/// stores, and every kind of bad token refused before the body, with nothing left behind.
@Suite(.enabled(if: S3TestEnvironment.current != nil, S3TestEnvironment.skipReason), .serialized)
final class UploadTokenTests {
    let s3 = S3TestEnvironment.current!
    let prefix = S3TestEnvironment.prefix()
    let secret = "an-upload-token-secret-of-more-than-32-bytes"
    let server: ServerProcess
    /// The server's config, for a second instance beside it.
    let yaml: String
    /// The key set the server reads, removed after each test.
    let scratch: ScratchDirectory
    let client: S3Client
    let es256: (privatePEM: String, publicJWKS: String)
    let eddsa: (privatePEM: String, publicJWKS: String)

    init() async throws {
        es256 = try PyJWT.keyPair("ES256", kid: "app-ec")
        eddsa = try PyJWT.keyPair("EdDSA", kid: "app-ed")
        scratch = try ScratchDirectory("sluice-jwks")
        let keysFile = scratch.file("keys.json")
        // One set with both keys: each token names its key by kid.
        let ec = try JSONSerialization.jsonObject(with: Data(es256.publicJWKS.utf8)) as! [String: [Any]]
        let ed = try JSONSerialization.jsonObject(with: Data(eddsa.publicJWKS.utf8)) as! [String: [Any]]
        try JSONSerialization.data(withJSONObject: ["keys": ec["keys"]! + ed["keys"]!]).write(to: keysFile)
        yaml = """
            server: { host: 127.0.0.1, port: 0 }
            storage: { type: s3, bucket: \(s3.bucket), partSize: 5MiB, keyTemplate: "\(prefix){uuid}/{filename}" }
            routes:
              - path: /avatars
                chain: any
                maxFiles: 3
                maxRequestBytes: 32MiB
                auth: { jwt: { secretEnv: TEST_JWT_SECRET, issuer: "https://app.test", audience: sluice, leeway: 5 } }
              - { path: /once, chain: any, auth: { jwt: { secretEnv: TEST_JWT_SECRET, singleUse: true } } }
              - { path: /once-anywhere, chain: any, auth: { jwt: { secretEnv: TEST_JWT_SECRET, singleUse: bucket } } }
              - { path: /signed, chain: any, auth: { jwt: { publicKeysFile: "\(keysFile.path)" } } }
            chains:
              any:
                - size-limit: { max: 40MiB }
                - magic: {}
                - disposition: {}
                - hash: { algorithms: [sha256] }
            """
        server = try ServerProcess(yaml: yaml, environment: ["TEST_JWT_SECRET": secret])
        client = try s3.client()
    }

    deinit {
        let client = self.client
        Task { try? await client.shutdown() }
    }

    var now: Int { Int(Date().timeIntervalSince1970) }

    /// Claims the /avatars route accepts, with `extra` merged in.
    func claims(_ extra: [String: Any] = [:]) -> [String: Any] {
        ["iss": "https://app.test", "aud": "sluice", "sub": "user-42", "exp": now + 300, "iat": now].merging(extra) { $1 }
    }

    func token(_ extra: [String: Any] = [:], key: String? = nil, algorithm: String = "HS256") throws -> String {
        try PyJWT.encode(claims(extra), key: key ?? secret, algorithm: algorithm)
    }

    func post(_ path: String, token: String?, files: [(String, [UInt8])]? = nil, query: Bool = false) async throws -> Answer {
        let form = FormBody(parts: (files ?? [("a.png", pngBytes)]).map { .init(name: "file", filename: $0.0, body: $0.1) })
        let url = server.url + path + (query && token != nil ? "?token=\(token!.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" : "")
        return try await HTTP.post(url, form: form, headers: token.map { query ? [] : [("Authorization", "Bearer \($0)")] } ?? [])
    }

    var pngBytes: [UInt8] { (try? Fixtures.bytes("image.png")) ?? [] }

    /// Objects and unfinished multipart uploads anywhere under this suite's prefix.
    func leftovers() async throws -> [String] {
        let keys = try await client.listObjects(bucket: s3.bucket).filter { $0.contains(prefix) }
        let uploads = try await client.listMultipartUploads(bucket: s3.bucket).map(\.key).filter { $0.contains(prefix) }
        return keys + uploads
    }

    @Test func aGoodTokenStoresWithTheUsersMetadataUnderItsPrefix() async throws {
        let good = try token(["sluice": ["keyPrefix": "users/42/", "metadata": ["album": "holidays"], "types": ["image/*"]]])
        let answer = try await post("/avatars", token: good)
        #expect(answer.status == 201, "\(answer.body)")
        let key = try #require(answer.files.first?["key"] as? String)
        #expect(key.hasPrefix("users/42/\(prefix)"))
        let head = try await client.headObject(bucket: s3.bucket, key: key)
        #expect(head.metadata["sub"] == "user-42")
        #expect(head.metadata["album"] == "holidays")
        #expect(server.log.contains("sub=user-42"))
        try await client.deleteObject(bucket: s3.bucket, key: key)
    }

    /// The 201's receipt, verified as an app would with PyJWT, says what S3 holds; and it is
    /// no upload token.
    @Test func theReceiptIsSignedAndTellsWhatWasStored() async throws {
        let answer = try await post("/avatars", token: try token())
        #expect(answer.status == 201, "\(answer.body)")
        let receipt = try #require(answer.json?["receipt"] as? String)
        let claims = try PyJWT.decode(receipt, key: secret, audience: "sluice-receipt")
        #expect(claims["sub"] as? String == "user-42")
        #expect(claims["route"] as? String == "/avatars")
        let file = try #require((claims["files"] as? [[String: Any]])?.first)
        let key = try #require(file["key"] as? String)
        #expect(key == answer.files.first?["key"] as? String)
        #expect((file["size"] as? Int).map(Int64.init) == Int64(pngBytes.count))
        #expect(file["sniffedType"] as? String == "image/png")
        let (sha, _) = try await client.sha256(bucket: s3.bucket, key: key)
        #expect((file["digests"] as? [String: String])?["sha256"] == sha)
        #expect(throws: PyJWT.Failed.self, "another secret does not verify it") {
            _ = try PyJWT.decode(receipt, key: "another-secret-that-is-long-enough-to-use", audience: "sluice-receipt")
        }
        let reused = try await post("/avatars", token: receipt)
        #expect(reused.status == 401, "a receipt does not open the route: \(reused.body)")
        try await client.deleteObject(bucket: s3.bucket, key: key)
        let signed = try await post("/signed", token: try PyJWT.encode(["exp": now + 300], key: es256.privatePEM, algorithm: "ES256", headers: ["kid": "app-ec"]))
        #expect(signed.status == 201)
        #expect(signed.json?["receipt"] == nil, "a route with public keys has no secret to sign receipts with")
        if let other = signed.files.first?["key"] as? String { try await client.deleteObject(bucket: s3.bucket, key: other) }
    }

    @Test func theTokenMayComeAsAQueryParameter() async throws {
        let answer = try await post("/avatars", token: try token(), query: true)
        #expect(answer.status == 201, "\(answer.body)")
        if let key = answer.files.first?["key"] as? String { try await client.deleteObject(bucket: s3.bucket, key: key) }
    }

    /// Every way a token can fail, each with its own reason, and nothing stored.
    @Test func badTokensAreRefusedWithTheirReason() async throws {
        let cases: [(String, String?, Int, String)] = [
            ("no token", nil, 401, "token_missing"),
            ("not a JWT", "not.a.jwt", 401, "token_malformed"),
            ("a signature not in base64url", try token().split(separator: ".").dropLast().joined(separator: ".") + ".x", 401, "token_malformed"),
            ("oversized", String(repeating: "a", count: 9000), 401, "token_too_large"),
            ("another secret", try token(key: "another-secret-that-is-long-enough-to-use"), 401, "token_bad_signature"),
            ("expired", try token(["exp": now - 60]), 401, "token_expired"),
            ("no exp", try PyJWT.encode(claims().filter { $0.key != "exp" }, key: secret), 401, "token_no_expiry"),
            ("not yet valid", try token(["nbf": now + 600]), 401, "token_not_yet_valid"),
            ("alg none", try PyJWT.encode(claims(), key: nil, algorithm: "none"), 401, "token_algorithm_not_accepted"),
            ("HS384", try token(algorithm: "HS384"), 401, "token_algorithm_not_accepted"),
            ("wrong issuer", try token(["iss": "https://evil.test"]), 401, "token_wrong_issuer"),
            ("wrong audience", try token(["aud": "someone-else"]), 401, "token_wrong_audience"),
            ("another route", try token(["sluice": ["route": "/once"]]), 403, "token_wrong_route"),
            ("widens maxFiles", try token(["sluice": ["maxFiles": 50]]), 403, "token_policy_widens"),
            ("widens maxRequestBytes", try token(["sluice": ["maxRequestBytes": 1 << 30]]), 403, "token_policy_widens"),
            ("unknown policy key", try token(["sluice": ["maxFilez": 1]]), 403, "token_policy_invalid"),
            ("bad metadata", try token(["sluice": ["metadata": ["note": "caf\u{e9}"]]]), 403, "token_policy_invalid"),
            ("key and prefix", try token(["sluice": ["key": "a", "keyPrefix": "b/"]]), 403, "token_policy_invalid"),
        ]
        for (name, token, status, error) in cases {
            let answer = try await post("/avatars", token: token)
            #expect(answer.status == status, "\(name): \(answer.body)")
            #expect(answer.json?["error"] as? String == error, "\(name): \(answer.body)")
            if error == "token_malformed" { #expect(answer.json?["message"] as? String == "the token is not a JWT (header.payload.signature, base64url)") }
        }
        #expect(try await leftovers().isEmpty)
    }

    /// Refused before the body: with `Expect: 100-continue`, the client never sends it.
    @Test func aBadTokenIsAnsweredBeforeTheBodyIsSent() throws {
        let connection = try RawHTTP(port: server.port)
        connection.send(RawHTTP.head("POST", "/avatars", [
            ("Content-Type", "multipart/form-data; boundary=x"), ("Content-Length", "1000000"), ("Expect", "100-continue"),
            ("Authorization", "Bearer \(try token(["exp": now - 60]))"),
        ]))
        let response = try #require(RawResponse(connection.read()))
        #expect(response.status == 401)
        #expect(response.body.contains("token_expired"))
    }

    @Test func aPolicysTypesAndFileSizeAreEnforcedOnTheFile() async throws {
        let text = Array("just some text\n".utf8)
        let typed = try await post("/avatars", token: try token(["sluice": ["types": ["image/png"]]]), files: [("a.png", pngBytes), ("notes.txt", text)])
        #expect(typed.status == 415, "\(typed.body)")
        #expect(typed.json?["error"] as? String == "type_not_allowed_by_token")
        let big = [UInt8](repeating: 0x41, count: 7 << 20)
        let sized = try await post("/avatars", token: try token(["sluice": ["maxFileBytes": 6 << 20]]), files: [("big.txt", big)])
        #expect(sized.status == 413, "\(sized.body)")
        #expect(sized.json?["error"] as? String == "file_too_large_for_token")
        let files = try await post("/avatars", token: try token(["sluice": ["maxFiles": 1]]), files: [("a.png", pngBytes), ("b.png", pngBytes)])
        #expect(files.status == 413)
        #expect(files.json?["error"] as? String == "too_many_files")
        #expect(try await leftovers().isEmpty, "a refused request leaves no object and no multipart upload")
    }

    @Test func anExactKeyNamesTheOneFile() async throws {
        let key = "\(prefix)exact/avatar.png"
        let answer = try await post("/avatars", token: try token(["sluice": ["key": key]]))
        #expect(answer.status == 201, "\(answer.body)")
        #expect(answer.files.first?["key"] as? String == key)
        try await client.deleteObject(bucket: s3.bucket, key: key)
    }

    @Test func aSingleUseTokenIsRefusedTheSecondTime() async throws {
        let once = try PyJWT.encode(["exp": now + 300, "jti": UUID().uuidString, "sub": "user-7"], key: secret)
        let first = try await post("/once", token: once)
        #expect(first.status == 201, "\(first.body)")
        let again = try await post("/once", token: once)
        #expect(again.status == 401)
        #expect(again.json?["error"] as? String == "token_replayed")
        let withoutId = try await post("/once", token: try PyJWT.encode(["exp": now + 300], key: secret))
        #expect(withoutId.status == 401)
        if let key = first.files.first?["key"] as? String { try await client.deleteObject(bucket: s3.bucket, key: key) }
    }

    @Test func aTokenSpentInTheBucketIsRefusedByEveryInstance() async throws {
        let other = try ServerProcess(yaml: yaml, environment: ["TEST_JWT_SECRET": secret])
        let once = try PyJWT.encode(["exp": now + 300, "jti": UUID().uuidString, "sub": "user-8"], key: secret)
        let first = try await post("/once-anywhere", token: once)
        #expect(first.status == 201, "\(first.body)")
        let elsewhere = try await HTTP.post(
            other.url + "/once-anywhere", form: FormBody(parts: [.init(name: "file", filename: "a.png", body: pngBytes)]),
            headers: [("Authorization", "Bearer \(once)")])
        #expect(elsewhere.status == 401, "\(elsewhere.body)")
        #expect(elsewhere.json?["error"] as? String == "token_replayed")
        #expect(try await post("/once-anywhere", token: once).json?["error"] as? String == "token_replayed")
        // Another token is spent once too, on whichever instance sees it first.
        let next = try PyJWT.encode(["exp": now + 300, "jti": UUID().uuidString, "sub": "user-8"], key: secret)
        let second = try await HTTP.post(
            other.url + "/once-anywhere", form: FormBody(parts: [.init(name: "file", filename: "b.png", body: pngBytes)]),
            headers: [("Authorization", "Bearer \(next)")])
        #expect(second.status == 201, "\(second.body)")
        for answer in [first, second] {
            if let key = answer.files.first?["key"] as? String { try await client.deleteObject(bucket: s3.bucket, key: key) }
        }
        _ = await other.stop()
    }

    @Test(arguments: ["ES256", "EdDSA"])
    func publicKeyTokensVerifyAndTheSecretAlgorithmIsRefused(algorithm: String) async throws {
        let pair = algorithm == "ES256" ? es256 : eddsa
        let kid = algorithm == "ES256" ? "app-ec" : "app-ed"
        let signed = try PyJWT.encode(["exp": now + 300, "sub": "user-9"], key: pair.privatePEM, algorithm: algorithm, headers: ["kid": kid])
        let answer = try await post("/signed", token: signed)
        #expect(answer.status == 201, "\(answer.body)")
        if let key = answer.files.first?["key"] as? String { try await client.deleteObject(bucket: s3.bucket, key: key) }
        // The classic confusion: an HMAC token keyed with the public key's text.
        let confused = try PyJWT.handMadeHS256(["exp": now + 300], key: pair.publicJWKS)
        let refused = try await post("/signed", token: confused)
        #expect(refused.status == 401)
        #expect(refused.json?["error"] as? String == "token_algorithm_not_accepted")
    }
}
