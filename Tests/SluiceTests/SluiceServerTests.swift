import AsyncHTTPClient
import Filters
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Sluice
import TestSupport
import Testing

/// The server as a library, in this process: built from a config with a filter of the test's
/// own, run in an application's ServiceGroup, and shut down with it.
@Suite struct SluiceServerTests {
    static let yaml = """
        server: { host: 127.0.0.1, port: 0 }
        storage: { type: discard }
        routes:
          - { path: /notes, chain: notes }
        chains:
          notes:
            - magic: { allow: [text/plain] }
            - line-count: { max: 3 }
        """

    /// Runs a server in a ServiceGroup, gives `body` its base URL, then shuts the group down
    /// and checks that the server's run returned.
    func withServer(yaml: String = SluiceServerTests.yaml, prepare: (inout SluiceServer) -> Void = { _ in }, _ body: (String) async throws -> Void) async throws {
        var registry = FilterRegistry.standard
        registry.register(LineCountFilter.definition)
        let config = try SluiceConfig.parse(yaml: yaml, file: "test.yaml", registry: registry)
        let (addresses, listening) = AsyncStream.makeStream(of: String.self)
        var server = SluiceServer(config: config, environment: [:], logger: Logger(label: "test"))
        server.onListening = { listening.yield($0) }
        prepare(&server)
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        var iterator = addresses.makeAsyncIterator()
        let address = try #require(await iterator.next())
        #expect(!address.hasSuffix(":0"), "port 0 asks for a free port; the server says which")
        do {
            try await body("http://\(address)")
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running.value
    }

    func get(_ url: String) async throws -> (Int, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    func post(_ url: String, _ text: String) async throws -> (Int, [String: Any]) {
        let form = FormBody(parts: [.init(name: "file", filename: "notes.txt", contentType: "text/plain", body: Array(text.utf8))])
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(form.boundary)")
        request.body = .bytes(ByteBuffer(bytes: form.bytes))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }

    @Test func aCustomFiltersVerdictAndAttributesReachTheAnswer() async throws {
        try await withServer { base in
            let (status, json) = try await post("\(base)/notes", "one\ntwo\n")
            #expect(status == 201)
            let file = try #require((json["files"] as? [[String: Any]])?.first)
            #expect((file["attributes"] as? [String: String]) == ["lines": "2"])

            let (refused, error) = try await post("\(base)/notes", "1\n2\n3\n4\n")
            #expect(refused == 422)
            #expect(error["error"] as? String == "too_many_lines")
            #expect(error["filter"] as? String == "line-count")
        }
    }

    /// A Hummingbird application's own routes on the same port: Sluice keeps its paths, the
    /// application gets the rest, its 404s included.
    @Test func aHummingbirdApplicationsRoutesAreServedBesideSluices() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.get("/hello") { _, _ in "hello from the app" }
        router.post("/notes/comments") { _, _ in "the app's, not an upload" }
        try await withServer(prepare: { $0.mount(router.buildResponder()) }) { base in
            #expect(try await get("\(base)/hello") == (200, "hello from the app"))
            #expect(try await get("\(base)/missing").0 == 404)
            let (status, json) = try await post("\(base)/notes", "one\n")
            #expect(status == 201)
            #expect((json["files"] as? [[String: Any]])?.count == 1)
            let (health, _) = try await get("\(base)/healthz")
            #expect(health == 200)
            // Below an upload route is Sluice's too (PUT /notes/<filename>), whatever the app routes there.
            let (shadowed, error) = try await post("\(base)/notes/comments", "x")
            #expect(shadowed == 405)
            #expect(error["error"] as? String == "method_not_allowed")
        }
    }

    @Test func aConfigWithoutStorageIsAStartUpErrorNamingTheFile() async throws {
        let config = try SluiceConfig.parse(yaml: "routes:\n  - { path: /u, chain: a }\nchains:\n  a: [magic]\n", file: "bare.yaml")
        await #expect {
            try await SluiceServer(config: config, environment: [:]).run()
        } throws: { error in
            (error as? StartupError)?.message.hasPrefix("bare.yaml: no storage:") == true
        }
    }

    /// A secret too short to resist guessing stops the server before it listens.
    @Test func aShortUploadTokenSecretIsAStartUpError() async throws {
        let config = try SluiceConfig.parse(yaml: """
            storage: { type: discard }
            routes:
              - { path: /u, chain: a, auth: { jwt: { secretEnv: TOKEN_SECRET } } }
            chains:
              a: [magic]
            """, file: "short.yaml")
        await #expect {
            try await SluiceServer(config: config, environment: ["TOKEN_SECRET": "short"]).run()
        } throws: { error in
            "\(error)".contains("HS256 needs at least 32")
        }
        await #expect {
            try await SluiceServer(config: config, environment: [:]).run()
        } throws: { error in
            "\(error)".contains("TOKEN_SECRET") && "\(error)".contains("empty or unset")
        }
    }
}
