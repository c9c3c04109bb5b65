import AsyncHTTPClient
import Filters
import Foundation
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
    func withServer(_ body: (String) async throws -> Void) async throws {
        var registry = FilterRegistry.standard
        registry.register(LineCountFilter.definition)
        let config = try SluiceConfig.parse(yaml: SluiceServerTests.yaml, file: "test.yaml", registry: registry)
        let (addresses, listening) = AsyncStream.makeStream(of: String.self)
        var server = SluiceServer(config: config, environment: [:], logger: Logger(label: "test"))
        server.onListening = { listening.yield($0) }
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

    @Test func aConfigWithoutStorageIsAStartUpErrorNamingTheFile() async throws {
        let config = try SluiceConfig.parse(yaml: "routes:\n  - { path: /u, chain: a }\nchains:\n  a: [magic]\n", file: "bare.yaml")
        await #expect {
            try await SluiceServer(config: config, environment: [:]).run()
        } throws: { error in
            (error as? StartupError)?.message.hasPrefix("bare.yaml: no storage:") == true
        }
    }
}
