@testable import Multipart
import NIOCore

/// What a multipart body parsed to, comparable across ways of feeding it: each part's head
/// values and body bytes, and how the parse ended.
struct MultipartOutcome: Equatable, Sendable, CustomStringConvertible {
    struct Part: Equatable, Sendable {
        var name: String
        var filename: String?
        var contentType: String?
        var rawHeaders: [UInt8]
        var body: [UInt8] = []
        /// Its end was seen (the delimiter after it).
        var ended = false
    }

    var parts: [Part] = []
    /// The closing boundary was read.
    var finished = false
    /// The message of the error the parse stopped with.
    var error: String?

    mutating func begin(_ part: MultipartPart) {
        Invariant.check("multipart-events", parts.last?.ended ?? true, "a part began inside part \"\(parts.last?.name ?? "")\"")
        parts.append(Part(name: part.name, filename: part.filename, contentType: part.contentType, rawHeaders: part.rawHeaders))
    }

    mutating func append(_ chunk: ByteBuffer, ends: Bool) {
        guard let last = parts.indices.last, !parts[last].ended else {
            Invariant.fail("multipart-events", "body bytes outside a part")
        }
        parts[last].body += chunk.readableBytesView
        if ends { parts[last].ended = true }
    }

    var description: String {
        let list = parts.map { part in
            "  \(part.name.debugDescription) filename \(part.filename?.debugDescription ?? "nil") type \(part.contentType?.debugDescription ?? "nil")"
                + " head \(part.rawHeaders.count) B body \(part.body.count) B\(part.ended ? "" : " (unended)")"
        }
        let end = error.map { "error: \($0)" } ?? (finished ? "closed" : "open")
        return (list + ["  \(end)"]).joined(separator: "\n")
    }
}
