@testable import Multipart
import NIOCore
import TestSupport
import Testing

/// The scanner driven directly, without the async reader: the events in order, and what it
/// asks of the code that feeds it. (The reader's tests cover parsing itself through it.)
@Suite struct MultipartScannerTests {
    /// Each event as text, feeding `chunks` one per `needInput` and finishing after the last.
    func events(_ chunks: [ByteBuffer], boundary: String) throws -> [String] {
        var scanner = MultipartScanner(boundary: boundary)
        var rest = chunks[...]
        var events: [String] = []
        while true {
            switch try scanner.next() {
            case .part(let part): events.append("part \(part.name)")
            case .body(let chunk): events.append("body \(String(buffer: chunk))")
            case .partEnd(let chunk): events.append(chunk.readableBytes > 0 ? "end of part after \(String(buffer: chunk))" : "end of part")
            case .end:
                events.append("end")
                return events
            case .needInput:
                events.append("need")
                if let chunk = rest.popFirst() { scanner.receive(chunk) } else { scanner.finish() }
            }
        }
    }

    @Test func eventsInOrder() throws {
        let form = FormBody(boundary: "B", parts: [
            .init(name: "a", body: Array("one".utf8)),
            .init(name: "b", filename: "b.txt", body: Array("two".utf8)),
        ])
        let bytes = form.bytes
        #expect(try events([ByteBuffer(bytes: bytes)], boundary: "B") == [
            "need", "part a", "end of part after one", "part b", "end of part after two", "end",
        ])
        // Cut just after the CR that ends the second body: it may start the delimiter, so the
        // scanner holds it back and asks for more before it says whether the part ended.
        let cut = bytes.count - "\n--B--\r\n".utf8.count
        let halves = [ByteBuffer(bytes: bytes[..<cut]), ByteBuffer(bytes: bytes[cut...])]
        #expect(try events(halves, boundary: "B") == [
            "need", "part a", "end of part after one", "part b", "body two", "need", "end of part", "end",
        ])
    }

    @Test func endAnswersEndAgain() throws {
        var scanner = MultipartScanner(boundary: "B")
        #expect(try { if case .needInput = try scanner.next() { true } else { false } }())
        scanner.receive(ByteBuffer(string: "--B--\r\n"))
        for _ in 0..<2 {
            #expect(try { if case .end = try scanner.next() { true } else { false } }())
        }
        #expect(scanner.bytesReceived == 7)
    }

    @Test func finishedTooEarlyIsAnError() throws {
        var scanner = MultipartScanner(boundary: "B")
        scanner.receive(ByteBuffer(string: "--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\npartial"))
        #expect(try { if case .part(let part) = try scanner.next() { part.name == "f" } else { false } }())
        #expect(try { if case .body(let chunk) = try scanner.next() { String(buffer: chunk) == "partial" } else { false } }())
        #expect(try { if case .needInput = try scanner.next() { true } else { false } }())
        scanner.finish()
        #expect(throws: MultipartError("the body ends inside part \"f\", before its closing boundary")) { try scanner.next() }
    }

    /// A buffer given while one is still set aside (behind a split head) queues behind it
    /// instead of replacing it: nothing is lost even when `receive` comes unasked.
    @Test func unaskedBuffersKeepTheirOrder() throws {
        let step = MultipartScanner.appendStep
        let head = "--B\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n"
        let body = String(repeating: "x", count: 2 * step)
        var scanner = MultipartScanner(boundary: "B")
        // The head is split after its first byte, so the second buffer joins it a step at a time.
        scanner.receive(ByteBuffer(string: String(head.prefix(1))))
        scanner.receive(ByteBuffer(string: String(head.dropFirst()) + body))
        scanner.receive(ByteBuffer(string: "tail\r\n--B--"))
        scanner.finish()
        var received = "", name = ""
        loop: while true {
            switch try scanner.next() {
            case .part(let part): name = part.name
            case .body(let chunk), .partEnd(let chunk): received += String(buffer: chunk)
            case .end: break loop
            case .needInput: Issue.record("asked for input after finish()"); return
            }
        }
        #expect(name == "f")
        #expect(received == body + "tail")
    }
}
