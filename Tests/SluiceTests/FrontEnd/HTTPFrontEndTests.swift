import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@testable import Sluice

/// Sluice's HTTP/1.1 front end on its own, with responders made for each case: requests on a
/// connection in order, the body's backpressure, malformed heads, and how it stops.
@Suite struct HTTPFrontEndTests {
    /// A front end serving `responder` while `body` runs with its port; stopped gracefully after.
    func withFrontEnd(
        idleTimeout: Duration = .seconds(75), _ responder: @escaping ConnectionHandler.Responder, _ body: (Int, ServiceGroup) async throws -> Void
    ) async throws {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let frontEnd = HTTPFrontEnd(
            host: "127.0.0.1", port: 0, idleTimeout: idleTimeout, logger: Logger(label: "test"), responder: responder,
            onListening: { channel in listening.yield(channel.localAddress?.port ?? 0) })
        let group = ServiceGroup(configuration: .init(services: [frontEnd], logger: Logger(label: "test")))
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body(port, group)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Answers 200 with `text`, and `Connection: close` when asked to.
    static func answer(_ text: String, _ sink: ResponseSink, close: Bool = false) async {
        var head = HTTPResponse(status: .ok)
        head.headerFields[.contentLength] = "\(text.utf8.count)"
        if close { head.headerFields[.connection] = "close" }
        try? await sink.write(response: head, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The connection's reads block: they run on a thread of their own, not on the task pool
    /// the server in this process answers from. The timeouts are generous: the whole suite
    /// runs at once and can keep that pool busy for seconds.
    static func readToClose(_ connection: RawHTTP, timeout: Duration = .seconds(30)) async -> (text: String, closed: Bool) {
        nonisolated(unsafe) let connection = connection
        return await withCheckedContinuation { done in
            Thread { done.resume(returning: connection.readToClose(timeout: timeout)) }.start()
        }
    }

    static func read(_ connection: RawHTTP, timeout: Duration) async -> String {
        nonisolated(unsafe) let connection = connection
        return await withCheckedContinuation { done in
            Thread { done.resume(returning: connection.read(timeout: timeout)) }.start()
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderAndCloseEndsThem() async throws {
        try await withFrontEnd({ request, sink in
            // The first answer is the slowest: a later one must still come after it.
            if request.uri.path == "/a" { try? await Task.sleep(for: .milliseconds(200)) }
            await HTTPFrontEndTests.answer(request.uri.path, sink)
        }) { port, _ in
            let connection = try RawHTTP(port: port)
            connection.send(
                RawHTTP.head("GET", "/a", []) + RawHTTP.head("GET", "/b", []) + RawHTTP.head("GET", "/c", [("Connection", "close")])
                    + RawHTTP.head("GET", "/d", []))
            let (text, closed) = await HTTPFrontEndTests.readToClose(connection)
            let answers = text.components(separatedBy: "HTTP/1.1 200").dropFirst().map { $0.components(separatedBy: "\r\n\r\n").last ?? "" }
            #expect(answers == ["/a", "/b", "/c"], "three answers in order, none for the request after close:\n\(text)")
            #expect(closed)
        }
    }

    @Test func anAnswerThatSaysCloseIsTheConnectionsLast() async throws {
        try await withFrontEnd({ request, sink in
            await HTTPFrontEndTests.answer(request.uri.path, sink, close: request.uri.path == "/a")
        }) { port, _ in
            let connection = try RawHTTP(port: port)
            connection.send(RawHTTP.head("GET", "/a", []) + RawHTTP.head("GET", "/b", []))
            let (text, closed) = await HTTPFrontEndTests.readToClose(connection)
            #expect(text.components(separatedBy: "HTTP/1.1 200").count == 2, "\(text)")
            #expect(text.hasSuffix("/a"))
            #expect(closed)
        }
    }

    /// A body the request's task does not read stays in the client's socket: the connection
    /// reads only while the task keeps up.
    @Test func aBodyTheTaskDoesNotReadHoldsTheConnectionsReads() async throws {
        let total = 64 << 20
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        try await withFrontEnd({ request, sink in
            for await _ in gate { break }
            var received = 0
            do {
                for try await buffer in request.body { received += buffer.readableBytes }
            } catch {}
            await HTTPFrontEndTests.answer("\(received)", sink)
        }) { port, _ in
            let connection = try RawHTTP(port: port)
            connection.send(RawHTTP.head("PUT", "/x", [("Content-Length", "\(total)")]))
            let sent = Atomic(0)
            // Sends from a thread of its own while this task watches; it only reads after.
            nonisolated(unsafe) let sending = connection
            let sender = Thread {
                let chunk = [UInt8](repeating: 7, count: 1 << 20)
                for _ in 0..<(total >> 20) {
                    guard sending.send(chunk) else { return }
                    sent.add(1, ordering: .relaxed)
                }
            }
            sender.start()
            try await Task.sleep(for: .seconds(1))
            // The kernel's buffers on both sides and the stream's few reads hold a few MiB.
            let early = sent.load(ordering: .relaxed)
            #expect(early < 24, "\(early) MiB went in before the task read any")
            open.yield()
            let response = try #require(RawResponse(await HTTPFrontEndTests.read(connection, timeout: .seconds(30))))
            #expect(response.body == "\(total)")
            #expect(sent.load(ordering: .relaxed) == total >> 20)
        }
    }

    /// A head that cannot be parsed, or over the limits (1,000 fields, 80 KiB): 400 and a close.
    @Test(arguments: [
        "Host x\r\nBroken", "Host: x\r\n" + (1..<1002).map { "X-Field-\($0): x" }.joined(separator: "\r\n"),
        "Host: x\r\nX-Long: " + String(repeating: "x", count: 81 << 10),
    ])
    func aHeadItCannotTakeIsAnswered400AndClosed(fields: String) async throws {
        try await withFrontEnd({ _, sink in
            await HTTPFrontEndTests.answer("unexpected", sink)
        }) { port, _ in
            let connection = try RawHTTP(port: port)
            connection.send("GET / HTTP/1.1\r\n\(fields)\r\n\r\n")
            let (text, closed) = await HTTPFrontEndTests.readToClose(connection)
            #expect(RawResponse(text)?.status == 400)
            #expect(closed)
        }
    }

    /// A connection with nothing sent or received for the idle timeout is closed, whether it
    /// never sent a request or is kept alive after one.
    @Test func anIdleConnectionIsClosed() async throws {
        try await withFrontEnd(idleTimeout: .seconds(1), { request, sink in
            await HTTPFrontEndTests.answer(request.uri.path, sink)
        }) { port, _ in
            let silent = try RawHTTP(port: port)
            let kept = try RawHTTP(port: port)
            kept.send(RawHTTP.head("GET", "/a", []))
            #expect(RawResponse(await HTTPFrontEndTests.read(kept, timeout: .seconds(30)))?.body == "/a")
            let (_, keptClosed) = await HTTPFrontEndTests.readToClose(kept)
            let (_, silentClosed) = await HTTPFrontEndTests.readToClose(silent)
            #expect(keptClosed && silentClosed)
        }
    }

    /// A graceful shutdown refuses new connections, lets the answer in progress finish, and
    /// returns once its connection has closed.
    @Test func aGracefulShutdownLetsTheAnswerInProgressFinish() async throws {
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let (started, startedNow) = AsyncStream.makeStream(of: Void.self)
        try await withFrontEnd({ request, sink in
            startedNow.yield()
            for await _ in gate { break }
            await HTTPFrontEndTests.answer("done", sink)
        }) { port, group in
            let connection = try RawHTTP(port: port)
            connection.send(RawHTTP.head("GET", "/slow", []))
            for await _ in started { break }
            await group.triggerGracefulShutdown()
            // The listening socket closes soon after, on its event loop: new connections are refused.
            let deadline = ContinuousClock.now + .seconds(10)
            while (try? RawHTTP(port: port)) != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(throws: RawHTTPError.self) { try RawHTTP(port: port) }
            open.yield()
            let (text, closed) = await HTTPFrontEndTests.readToClose(connection)
            #expect(RawResponse(text)?.body == "done")
            #expect(closed)
        }
    }

    /// Cancelling the server cancels the answers still running (an upload's task then aborts
    /// it), and `run` returns.
    @Test func cancellingTheServerCancelsTheAnswers() async throws {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let (started, startedNow) = AsyncStream.makeStream(of: Void.self)
        let frontEnd = HTTPFrontEnd(
            host: "127.0.0.1", port: 0, logger: Logger(label: "test"),
            responder: { _, sink in
                startedNow.yield()
                let cancelled = (try? await Task.sleep(for: .seconds(60))) == nil
                await HTTPFrontEndTests.answer(cancelled ? "cancelled" : "slept", sink)
            },
            onListening: { channel in listening.yield(channel.localAddress?.port ?? 0) })
        let server = Task { try await frontEnd.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let connection = try RawHTTP(port: port)
        connection.send(RawHTTP.head("GET", "/wait", []))
        for await _ in started { break }
        server.cancel()
        let (text, closed) = await HTTPFrontEndTests.readToClose(connection)
        #expect(RawResponse(text)?.body == "cancelled")
        #expect(closed)
        try await server.value
    }
}
