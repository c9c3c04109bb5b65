@testable import Multipart
import NIOCore

/// A part's header block and its parameters: the field-by-field reader (`parseFields`), the
/// one-pass reader of the head browsers send (`browserHead`), HeaderParameters,
/// RFC 8187 `filename*`, browsers' %-escapes, and MultipartBoundary.parse.
///
/// Invariants: no crash; wherever `browserHead` recognises a head, `parseFields` reads the same
/// block to the same values (the scanner picks one or the other by the bytes' shape, so they
/// must agree); a whole body around the block reads to the same part as `parseFields` does; a
/// boundary MultipartBoundary accepts is 1 to 70 RFC 2046 characters not ending in a space.
enum PartHeadersTarget: FuzzTarget {
    static let name = "part-headers"

    static func run(_ bytes: [UInt8]) {
        let block = bytes
        let text = String(decoding: bytes, as: UTF8.self)
        let fields = try? block.withUnsafeBytes { try MultipartPart.parseFields($0) }
        if let part = fields {
            _ = part.headers
            Invariant.check("headers-name", !part.name.isEmpty, "parseFields gave an empty name")
        }

        // The fast path, as the scanner calls it: the head followed by its empty line.
        let located = (block + [0x0D, 0x0A, 0x0D, 0x0A]).withUnsafeBytes { MultipartPart.browserHead(in: $0) }
        if let (length, values) = located {
            let head = MultipartPart(head: ByteBuffer(bytes: block[..<length]), values: values)
            let slow = try? block[..<length].withUnsafeBytes { try MultipartPart.parseFields($0) }
            Invariant.check(
                "headers-fast-slow", slow.map { same($0, head) } ?? false,
                "browserHead read \(describe(head)), parseFields \(slow.map(describe) ?? "an error")")
        }

        // The same block inside a body, through the scanner (which picks the path itself).
        if !contains(block, [0x0D, 0x0A, 0x0D, 0x0A]), !contains(block, Array("\r\n--B".utf8)), block.first != 0x0D {
            let body = Array("--B\r\n".utf8) + block + Array("\r\n\r\nbody\r\n--B--\r\n".utf8)
            let outcome = MultipartTarget.scan([ByteBuffer(bytes: body)], boundary: "B", limits: .init())
            if let part = fields {
                let first = outcome.parts.first
                Invariant.check(
                    "headers-in-body",
                    first.map { $0.name == part.name && $0.filename == part.filename && $0.contentType == part.contentType } ?? false,
                    "in a body the block read as \(outcome), alone as \(describe(part))")
            }
        }

        _ = HeaderParameters.parse(text)
        _ = MultipartPart.decodeFilename(text)
        _ = MultipartPart.decodeExtended(text)
        _ = MultipartPart.percentDecoded(text)
        if let boundary = try? MultipartBoundary.parse(contentType: text) {
            let allowed = Set(MultipartTarget.boundaryCharacters)
            Invariant.check(
                "boundary-valid", (1...70).contains(boundary.count) && boundary.allSatisfy(allowed.contains) && boundary.last != " ",
                "MultipartBoundary accepted \(boundary.debugDescription)")
        }
    }

    static func same(_ a: MultipartPart, _ b: MultipartPart) -> Bool {
        a.name == b.name && a.filename == b.filename && a.contentType == b.contentType
    }

    static func describe(_ part: MultipartPart) -> String {
        "name \(part.name.debugDescription) filename \(part.filename?.debugDescription ?? "nil") type \(part.contentType?.debugDescription ?? "nil")"
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool { GeneratedForm.contains(bytes, needle) }
}
