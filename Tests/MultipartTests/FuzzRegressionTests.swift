@testable import Multipart
import NIOCore
import Testing

/// Inputs that broke a property under `scripts/fuzz` (docs/HARDENING.md), each kept as the
/// smallest case that shows it. The name says which target found it.
@Suite struct FuzzRegressionTests {
    /// What the scanner makes of `body` fed in pieces of `size` bytes (0: one buffer): the
    /// parts' names and body lengths, or the error.
    func scan(_ body: String, size: Int, limits: MultipartScanner.Limits) -> String {
        let bytes = Array(body.utf8)
        var chunks = size == 0 ? [bytes[...]] : stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
        var scanner = MultipartScanner(boundary: "B", limits: limits)
        var parts: [String] = []
        do {
            while true {
                switch try scanner.next() {
                case .part(let part): parts.append(part.name)
                case .body, .partEnd: break
                case .end: return parts.joined(separator: ",")
                case .needInput:
                    if chunks.isEmpty { scanner.finish() } else { scanner.receive(ByteBuffer(bytes: chunks.removeFirst())) }
                }
            }
        } catch {
            return "error: \((error as? MultipartError)?.message ?? "\(error)")"
        }
    }

    /// multipart: a header block exactly `headerBytes` long was accepted in one buffer and
    /// refused when the body came in 5-byte pieces (the limit was checked before the block's
    /// end could arrive). Likewise for the preamble.
    @Test func limitsDoNotDependOnTheCuts() {
        let head = "Content-Disposition: form-data; name=\"f\""
        var limits = MultipartScanner.Limits()
        limits.headerBytes = head.utf8.count
        let body = "--B\r\n\(head)\r\n\r\nv\r\n--B--\r\n"
        for size in [0, 1, 5, 7, 41] { #expect(scan(body, size: size, limits: limits) == "f", "pieces of \(size)") }
        limits.headerBytes -= 1
        for size in [0, 1, 5] { #expect(scan(body, size: size, limits: limits).hasPrefix("error: a part's headers are longer"), "pieces of \(size)") }

        var preamble = MultipartScanner.Limits()
        let withPreamble = "0123456789\r\n" + body
        preamble.preambleBytes = 10
        for size in [0, 1, 5, 11] { #expect(scan(withPreamble, size: size, limits: preamble) == "f", "pieces of \(size)") }
        preamble.preambleBytes = 9
        for size in [0, 1, 5] { #expect(scan(withPreamble, size: size, limits: preamble).hasPrefix("error: the boundary"), "pieces of \(size)") }
    }

    /// part-headers: a quoted name with spaces kept them on the one-pass path for browsers'
    /// heads and lost them on the field-by-field path, so a part's name depended on the shape
    /// of its head. Both keep a quoted value as sent.
    @Test func quotedValuesAreKeptAsSentOnBothPaths() throws {
        let block = Array("Content-Disposition: form-data; name=\"  spaced  \"; filename=\" a.txt \"".utf8)
        let slow = try block.withUnsafeBytes { try MultipartPart.parseFields($0) }
        #expect(slow.name == "  spaced  ")
        #expect(slow.filename == " a.txt ")
        let fast = try #require((block + Array("\r\n\r\n".utf8)).withUnsafeBytes { MultipartPart.browserHead(in: $0) })
        let part = MultipartPart(head: ByteBuffer(bytes: block[..<fast.length]), values: fast.values)
        #expect(part.name == slow.name)
        #expect(part.filename == slow.filename)
        // A head that is not a browser's (another header first) takes the field-by-field path.
        let other = "--B\r\nContent-Type: text/plain\r\nContent-Disposition: form-data; name=\"  spaced  \"\r\n\r\nv\r\n--B--\r\n"
        #expect(scan(other, size: 0, limits: .init()) == "  spaced  ")
        // Unquoted values are still trimmed.
        #expect(HeaderParameters.parse("form-data; name= bare ")["name"] == "bare")
    }
}
