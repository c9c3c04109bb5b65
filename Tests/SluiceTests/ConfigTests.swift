import Filters
import Foundation
import S3
import Sluice
import Storage
import TestSupport
import Testing

@Suite struct ConfigTests {
    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try SluiceConfig.parse(yaml: yaml, file: "sluice.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func exampleConfigIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/sluice.yaml").standardized.path
        let config = try SluiceConfig.load(path: path)
        #expect(config.chains.map(\.name) == ["images", "documents", "any"])
        #expect(config.routes.map(\.path) == ["/upload", "/images", "/documents"])
        #expect(config.warnings.isEmpty)
    }

    @Test func fullConfigParses() throws {
        let config = try SluiceConfig.parse(yaml: """
            server:
              host: 0.0.0.0
              port: 9000
              maxConcurrentUploads: 8
              maxBufferedBytes: 64MiB
              page: false
              shutdownTimeout: 5
              cors: { allowOrigins: ["https://app.example.com"], maxAge: 600, allowCredentials: true }
            storage: { type: discard, keyTemplate: "{date}/{uuid}{ext}" }
            routes:
              - { path: /up/, chain: c, maxFiles: 1, maxFields: 0, maxFieldBytes: 1KiB, maxRequestBytes: 1GiB, auth: { bearerTokensEnv: UPLOAD_TOKENS } }
            chains:
              c:
                - magic
            """)
        #expect(config.server.port == 9000)
        #expect(config.server.maxBufferedBytes == 64 << 20)
        #expect(config.server.cors?.allowOrigins == ["https://app.example.com"])
        #expect(config.server.cors?.allowCredentials == true)
        #expect(config.storage?.keyTemplate.description == "{date}/{uuid}{ext}")
        #expect(config.routes[0].path == "/up")
        #expect(config.routes[0].maxRequestBytes == 1 << 30)
        #expect(config.routes[0].bearerTokensEnv == "UPLOAD_TOKENS")
        #expect(config.chains[0].steps.map(\.name) == ["magic"])
    }

    @Test func badYAML() {
        let e = error("chains:\n  a:\n    - magic: {allow: [image/png}\n")
        #expect(e?.line == 3)
        #expect(e?.message.hasPrefix("bad YAML") == true)
    }

    @Test func emptyFile() {
        #expect(error("")?.message == "the config is empty; it needs at least `chains:`")
    }

    @Test func unknownTopLevelKey() {
        let e = error("chain:\n  a: []\n")
        #expect(e?.line == 1)
        #expect(e?.key == "chain")
        #expect(e?.message == "unknown key `chain` (did you mean `chains`?); known keys here: server, storage, routes, chains")
    }

    @Test func missingChains() {
        #expect(error("server: {port: 8080}\n")?.message == "missing key `chains`")
    }

    @Test func unknownFilterName() {
        let e = error("chains:\n  a:\n    - size-limit: {max: 1}\n    - magik: {}\n")
        #expect(e?.line == 4)
        #expect(e?.message.hasPrefix("unknown filter `magik` (did you mean `magic`?)") == true)
    }

    @Test func unknownOptionKey() {
        let e = error("chains:\n  a:\n    - magic:\n        allow: [image/png]\n        alow: [image/gif]\n")
        #expect(e?.line == 5)
        #expect(e?.key == "chains.a[0].magic.alow")
        #expect(e?.message.hasPrefix("unknown key `alow` (did you mean `allow`?)") == true)
    }

    @Test func badSize() {
        let e = error("chains:\n  a:\n    - size-limit: { max: 20 MBs }\n")
        #expect(e?.line == 3)
        #expect(e?.key == "chains.a[0].size-limit.max")
        #expect(e?.message.contains("unknown unit \"MBs\"") == true)
    }

    @Test func badTypePattern() {
        let e = error("chains:\n  a:\n    - magic:\n        allow:\n          - image/png\n          - imag/png\n")
        #expect(e?.line == 6)
        #expect(e?.key == "chains.a[0].magic.allow[1]")
        #expect(e?.message.contains("unknown top-level type \"imag\"") == true)
    }

    @Test func wrongValueType() {
        let e = error("chains:\n  a:\n    - magic: { allow: { image: png } }\n")
        #expect(e?.key == "chains.a[0].magic.allow")
        #expect(e?.message == "expected a list of strings, found a map")
    }

    @Test func outOfRange() {
        let e = error("chains:\n  a:\n    - magic: {}\n    - gzip: { level: 12 }\n")
        #expect(e?.line == 4)
        #expect(e?.message == "12 is out of range (1...9)")
    }

    /// The connection limits follow the upload limits unless set, and cannot be below them.
    @Test(arguments: [
        ("{}", 1024, 64),
        ("{ maxConcurrentUploads: 2000, maxUploadsPerClient: 100 }", 2000, 100),
        ("{ maxUploadsPerClient: 0 }", 1024, 0),
        ("{ maxConnections: 100, maxConnectionsPerClient: 0 }", 100, 0),
    ])
    func connectionLimits(server: String, connections: Int, perClient: Int) throws {
        let config = try SluiceConfig.parse(yaml: "server: \(server)\nchains:\n  a: [hash]\n", file: "sluice.yaml")
        #expect(config.server.connectionLimits == (connections, perClient))
    }

    /// A server configured in code follows the same rule as one configured in YAML.
    @Test func connectionLimitsFollowUploadLimitsSetInCode() {
        var server = ServerConfig()
        server.maxConcurrentUploads = 2000
        server.maxUploadsPerClient = 0
        #expect(server.connectionLimits == (2000, 0))
        server.maxConnections = 5000
        server.maxConnectionsPerClient = 10
        #expect(server.connectionLimits == (5000, 10))
    }

    @Test(arguments: [
        ("{ maxConnections: 10 }", "server.maxConnections", "must be at least maxConcurrentUploads (64)"),
        ("{ maxUploadsPerClient: 16, maxConnectionsPerClient: 4 }", "server.maxConnectionsPerClient", "must be at least maxUploadsPerClient (16), or 0"),
    ])
    func connectionLimitsBelowTheUploadLimits(server: String, key: String, message: String) {
        let e = error("server: \(server)\nchains:\n  a: [hash]\n")
        #expect(e?.key == key && e?.message == message, "\(String(describing: e))")
    }

    @Test func badChoice() {
        #expect(error("chains:\n  a:\n    - magic: { mismatch: warn }\n")?.message == "\"warn\" is not one of: reject, use-sniffed")
    }

    @Test func twoFiltersInOneEntry() {
        let e = error("chains:\n  a:\n    - magic: {}\n      hash: {}\n")
        #expect(e?.message == "each chain entry is one filter, written `- name: {options}`; found `magic`, `hash`")
    }

    @Test func routeToUnknownChain() {
        let e = error("routes:\n  - path: /u\n    chain: imagez\nchains:\n  images: [magic]\n")
        #expect(e?.line == 3)
        #expect(e?.message == "no chain named \"imagez\" (chains: images)")
    }

    @Test func duplicateRoutePath() {
        #expect(error("routes:\n  - {path: /u, chain: a}\n  - {path: /u/, chain: a}\nchains:\n  a: [magic]\n")?.message.contains("already routed") == true)
    }

    @Test func reservedRoutePath() {
        #expect(error("routes:\n  - {path: /metrics, chain: a}\nchains:\n  a: [magic]\n")?.message.contains("taken by the server") == true)
    }

    @Test func duplicateKey() {
        let e = error("chains:\n  a: [magic]\n  a: [hash]\n")
        #expect(e?.message.contains("appears twice") == true)
    }

    @Test func badKeyTemplate() {
        let e = error("storage: { type: discard, keyTemplate: \"{uuid}/{name}\" }\nchains:\n  a: [magic]\n")
        #expect(e?.key == "storage.keyTemplate")
        #expect(e?.message.hasPrefix("unknown placeholder {name}") == true)
    }

    @Test func unknownStorageType() {
        #expect(error("storage: { type: ftp }\nchains:\n  a: [magic]\n")?.message.hasPrefix("unknown storage type \"ftp\"") == true)
    }

    @Test func s3Storage() throws {
        let config = try SluiceConfig.parse(yaml: """
            storage:
              type: s3
              bucket: my-uploads
              region: eu-west-1
              endpoint: http://127.0.0.1:9000
              pathStyle: true
              partSize: 16MiB
              concurrency: 8
              checksum: crc32c
              cacheControl: "public, max-age=3600"
              storageClass: STANDARD_IA
              serverSideEncryption: aws:kms
              kmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/abc
              metadata: { origin: sluice, Team: uploads }
              retries: 4
            chains:
              a: [magic]
            """, file: "s3.yaml")
        guard case .s3(let s3)? = config.storage?.kind else { Issue.record("not s3"); return }
        #expect(s3.bucket == "my-uploads" && s3.region == "eu-west-1" && s3.endpoint == "http://127.0.0.1:9000")
        #expect(s3.partSize == 16 << 20 && s3.concurrency == 8 && s3.checksum == .crc32c && s3.maxAttempts == 5)
        #expect(s3.metadata.map(\.name) == ["origin", "team"])
        #expect(s3.serverSideEncryption == "aws:kms" && s3.kmsKeyId?.hasSuffix("key/abc") == true)
        #expect(config.warnings.isEmpty)
    }

    @Test(arguments: [
        ("partSize: 4MiB", "must be between 5MiB (S3's smallest part) and"),
        ("checksum: crc64", "is not one of: crc32, crc32c, sha256, md5, none"),
        ("metadata: { note: \"Grüße\" }", "metadata values must be printable ASCII"),
        ("kmsKeyId: k", "kmsKeyId needs serverSideEncryption: aws:kms"),
        ("storageClass: COLD", "is not a storage class"),
        ("endpoint: localhost:9000", "needs a scheme"),
        ("accessKeyId: AKIA", "set both accessKeyId and secretAccessKey"),
        ("concurrency: 0", "out of range"),
        ("bucket2: x", "unknown key `bucket2`"),
    ])
    func s3StorageErrors(line: String, message: String) {
        let e = error("storage:\n  type: s3\n  bucket: uploads\n  \(line)\nchains:\n  a: [magic]\n")
        #expect(e?.message.contains(message) == true, "\(e?.description ?? "no error")")
        #expect(e?.line == 4 || e?.line == 2)
    }

    @Test func credentialsInTheConfigAreAWarning() throws {
        let config = try SluiceConfig.parse(yaml: "storage: { type: s3, bucket: b-1, accessKeyId: AK, secretAccessKey: SK }\nchains:\n  a: [magic]\n")
        #expect(config.warnings.map(\.message) == ["credentials in the config file: prefer the environment or ~/.aws/credentials, and keep this file out of version control"])
    }

    @Test func missingRegionForAWSIsAStartUpError() {
        let settings = S3UploadSettings(bucket: "uploads")
        #expect {
            _ = try S3Client.Configuration(settings: settings, environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "HOME": "/nonexistent"])
        } throws: { error in
            "\(error)" == "no region for bucket uploads: set storage.region, AWS_REGION or AWS_DEFAULT_REGION"
        }
    }

    @Test func corsCredentialsWithAnyOrigin() {
        let e = error("server:\n  cors: { allowOrigins: \"*\", allowCredentials: true }\nchains:\n  a: [magic]\n")
        #expect(e?.message.contains("allowCredentials needs a list of origins") == true)
    }

    @Test func missingAndUnreadableFiles() {
        #expect(throws: ConfigError(file: "/nonexistent/sluice.yaml", line: nil, key: nil, message: "no such file")) {
            try SluiceConfig.load(path: "/nonexistent/sluice.yaml")
        }
        #expect(throws: ConfigError(file: "/tmp", line: nil, key: nil, message: "is a directory, not a config file")) {
            try SluiceConfig.load(path: "/tmp")
        }
    }

    @Test func errorDescriptionNamesFileLineAndKey() {
        let e = error("chains:\n  a:\n    - size-limit: { max: big }\n")
        #expect(e?.description == "sluice.yaml:3: chains.a[0].size-limit.max: \"big\" is not a size (write bytes or a number with a unit: B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)")
    }

    @Test func keyTemplates() throws {
        let upload = Upload(filename: "../My Photo.JPG", field: "avatar")
        let uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(KeyTemplate.default.render(upload, uuid: uuid, date: date) == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f/My Photo.JPG")
        #expect(try KeyTemplate("{field}/{date}/{uuid}{ext}").render(upload, uuid: uuid, date: date) == "avatar/2023/11/14/e621e1f8-c36c-495a-93fc-0c247a3e6e5f.jpg")
        #expect(try KeyTemplate("{filename}").render(Upload(), uuid: uuid, date: date) == "upload")
        let long = String(repeating: "é", count: 600) + ".pdf"
        let key = try KeyTemplate("{uuid}/{filename}").render(Upload(filename: long), uuid: uuid, date: date)
        #expect(key.utf8.count <= 1024)
        #expect(key.hasSuffix("é.pdf"))
    }

    /// Whatever the name and the template, a key fits S3's 1,024 bytes and is whole UTF-8
    /// (a 1,100-character extension once gave a 1,138-byte key).
    @Test(arguments: [
        ("{uuid}/{filename}", "a." + String(repeating: "x", count: 1100)),
        ("{uuid}/{filename}", String(repeating: "名", count: 2000)),
        ("{uuid}{ext}", "a." + String(repeating: "x", count: 1100)),
        ("{field}/{filename}/{filename}/{filename}/{filename}/{filename}", String(repeating: "b", count: 400) + ".bin"),
        (String(repeating: "p", count: 900) + "/{uuid}/{filename}", String(repeating: "é", count: 300) + ".png"),
    ])
    func keysFitS3(template: String, filename: String) throws {
        let upload = Upload(filename: filename, field: String(repeating: "f", count: 500))
        let key = try KeyTemplate(template).render(upload)
        #expect(key.utf8.count <= KeyTemplate.maximumKeyBytes)
        #expect(!key.isEmpty)
        #expect(!key.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test(arguments: [
        ("jwt: { secretEnv: S, publicKeysFile: k.json }", "not both"),
        ("jwt: {}", "set secretEnv"),
        ("jwt: { secretEnv: \"bad name\" }", "is not an environment variable name"),
        ("jwt: { secretEnv: S, leeway: 3600 }", "at most 600 seconds"),
        ("jwt: { secretEnv: S, singleUse: everywhere }", "true (each token once, remembered by this process), bucket"),
        ("{ bearerTokensEnv: T, jwt: { secretEnv: S } }", "not both"),
    ])
    func uploadTokenConfigErrors(auth: String, message: String) {
        let auth = auth.hasPrefix("{") ? auth : "{ \(auth) }"
        let e = error("routes:\n  - { path: /u, chain: a, auth: \(auth) }\nchains:\n  a: [magic]\n")
        #expect(e?.message.contains(message) == true, "\(e?.message ?? "no error")")
    }

    @Test func uploadTokenConfigParses() throws {
        let config = try SluiceConfig.parse(yaml: """
            routes:
              - { path: /u, chain: a, auth: { jwt: { publicKeysFile: keys.json, issuer: app, audience: sluice, leeway: 10, singleUse: true } } }
            chains:
              a: [magic]
            """)
        var expected = JWTAuthConfig(keys: .publicKeysFile("keys.json"))
        (expected.issuer, expected.audience, expected.leeway, expected.singleUse) = ("app", "sluice", 10, true)
        #expect(config.routes[0].jwt == expected)
    }

    @Test func tokensSpentInTheBucketNeedABucket() throws {
        let route = "routes:\n  - { path: /u, chain: a, auth: { jwt: { secretEnv: S, singleUse: bucket } } }\nchains:\n  a: [magic]\n"
        let config = try SluiceConfig.parse(yaml: "storage: { type: s3, bucket: uploads }\n" + route)
        #expect(config.routes[0].jwt?.singleUse == true)
        #expect(config.routes[0].jwt?.spentInBucket == true)
        let e = error("storage: { type: discard }\n" + route)
        #expect(e?.message.contains("singleUse: bucket, which needs storage type: s3") == true, "\(e?.message ?? "no error")")
    }

    @Test(arguments: [
        ("{ url: ftp://x, secretEnv: S }", "is not an http(s) URL"),
        ("{ url: http://a/h, secretEnv: S, mode: later }", "not one of: await, background"),
        ("{ url: http://a/h, secretEnv: S, events: [stored, deleted] }", "is not an event"),
        ("{ url: http://a/h }", "secretEnv"),
    ])
    func webhookConfigErrors(notify: String, message: String) {
        let e = error("routes:\n  - { path: /u, chain: a, notify: \(notify) }\nchains:\n  a: [magic]\n")
        #expect(e?.message.contains(message) == true, "\(e?.message ?? "no error")")
    }
}

/// `resumable:` on a route: its options, and the chains and storage that cannot have it.
@Suite struct ResumableConfigTests {
    func parse(_ routes: String, chain: String = "[size-limit: { max: 1MiB }, magic, hash]", storage: String = "{ type: s3, bucket: b-1 }") throws(ConfigError) -> SluiceConfig {
        var registry = FilterRegistry.standard
        registry.register(LineCountFilter.definition)
        return try SluiceConfig.parse(yaml: "storage: \(storage)\nroutes:\n\(routes)\nchains:\n  c: \(chain)\n", file: "sluice.yaml", registry: registry)
    }

    @Test func optionsAndDefaults() throws {
        let config = try parse("""
              - { path: /a, chain: c, resumable: true }
              - { path: /b, chain: c, resumable: { maxLength: 2GiB, expiresAfter: 3600, leaseSeconds: 30, prefix: "tus-state/" } }
              - { path: /c, chain: c, resumable: false }
            """)
        let a = try #require(config.routes[0].resumable)
        #expect(a.maxLength == 100 << 30 && a.expiresAfter == 86_400 && a.prefix == ".sluice-resumable/")
        let b = try #require(config.routes[1].resumable)
        #expect(b.maxLength == 2 << 30 && b.expiresAfter == 3600 && b.leaseSeconds == 30 && b.prefix == "tus-state/")
        #expect(config.routes[2].resumable == nil)
    }

    @Test func aChainWithAStepThatCannotResumeIsRefusedByName() {
        #expect(throws: ConfigError.self) { try parse("  - { path: /a, chain: c, resumable: true }", chain: "[line-count: { max: 3 }, hash]") }
        do {
            _ = try parse("  - { path: /a, chain: c, resumable: true }", chain: "[line-count: { max: 3 }, hash]")
        } catch {
            #expect(error.message.contains("`line-count`") && error.message.contains("cannot keep its state"), "\(error.message)")
        }
        // The same chain is fine on a route that is not resumable.
        #expect((try? parse("  - { path: /a, chain: c }", chain: "[line-count: { max: 3 }, hash]")) != nil)
    }

    @Test func badOptionsAndDiscardStorageAreRefused() {
        for (options, word) in [("{ expiresAfter: 5 }", "expiresAfter"), ("{ prefix: state }", "prefix"), ("{ leaseSeconds: 1 }", "leaseSeconds"), ("{ colour: red }", "colour")] {
            do {
                _ = try parse("  - { path: /a, chain: c, resumable: \(options) }")
                Issue.record("\(options) was accepted")
            } catch {
                #expect(error.message.contains(word) || error.key?.contains(word) == true, "\(options): \(error.message)")
            }
        }
        do {
            _ = try parse("  - { path: /a, chain: c, resumable: true }", storage: "{ type: discard }")
            Issue.record("a resumable route on discard storage was accepted")
        } catch {
            #expect(error.message.contains("storage type: s3"))
        }
    }
}
