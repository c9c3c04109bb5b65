@testable import Multipart
import NIOCore

/// MultipartScanner and MultipartReader on bodies cut into buffers in many ways. Two kinds of
/// input, by the first byte's high bit:
///
/// - any body: the result (parts, their head values and body bytes, how it ended, the error
///   message) must not depend on the cuts: one buffer, the input's own cuts, the same through
///   MultipartReader, and single bytes for small bodies. Small limits (preamble, header block)
///   are picked from the input too, to reach their edges with short inputs.
/// - a well-formed form generated from the input (`GeneratedForm`): the parts read must be
///   exactly the ones written.
///
/// Layout: mode byte (bit 7 generated, bits 0-2 the boundary, bit 3 small limits), custom
/// boundary, limits, `ChunkPlan`, then the body or the form's description.
enum MultipartTarget: FuzzTarget {
    static let name = "multipart"

    static let boundaries = ["B", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "-", "--", "a'()+_,-./:=? z", "xyzzy"]
    /// RFC 2046 bchars, which MultipartBoundary.parse allows.
    static let boundaryCharacters = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let mode = input.byte()
        let boundary = boundary(Int(mode & 7), &input)
        if mode & 0x80 != 0 {
            let plan = ChunkPlan(&input)
            guard let form = GeneratedForm(boundary: boundary, input: &input) else { return }
            for (label, chunking) in [("one buffer", ChunkPlan.whole), ("the input's cuts", plan)] {
                let got = scan(chunking.split(form.body), boundary: boundary, limits: .init())
                Invariant.check("multipart-generated", got == form.expected, "a generated form read through \(label) as\n\(got)\ninstead of\n\(form.expected)")
            }
            return
        }
        var limits = MultipartScanner.Limits()
        if mode & 8 != 0 {
            limits.preambleBytes = Int(input.byte())
            limits.headerBytes = Int(input.byte())
        }
        let plan = ChunkPlan(&input)
        let body = input.rest()
        let reference = scan(ChunkPlan.whole.split(body), boundary: boundary, limits: limits)
        let chunks = plan.split(body)
        let cut = scan(chunks, boundary: boundary, limits: limits)
        Invariant.check("multipart-chunking", cut == reference, "cut at \(plan.sizes) the body read as\n\(cut)\nin one buffer as\n\(reference)")
        let read = Blocking.run { [limits] in await readAll(chunks, boundary: boundary, limits: limits) }
        Invariant.check("multipart-reader", read == reference, "MultipartReader read\n\(read)\nthe scanner in one buffer\n\(reference)")
        if body.count <= 2048 {
            let single = scan(ChunkPlan.single.split(body), boundary: boundary, limits: limits)
            Invariant.check("multipart-chunking", single == reference, "byte by byte the body read as\n\(single)\nin one buffer as\n\(reference)")
        }
    }

    /// One of `boundaries`, or (6, 7) up to 70 bchars from the input.
    static func boundary(_ choice: Int, _ input: inout FuzzInput) -> String {
        if choice < boundaries.count { return boundaries[choice] }
        let length = 1 + Int(input.byte()) % 70
        var characters = input.take(length).map { boundaryCharacters[Int($0) % boundaryCharacters.count] }
        if characters.isEmpty || characters.last == " " { characters.append("x") }
        return String(characters)
    }

    /// The scanner fed `chunks`, one per `needInput`, finished after the last.
    static func scan(_ chunks: [ByteBuffer], boundary: String, limits: MultipartScanner.Limits) -> MultipartOutcome {
        var scanner = MultipartScanner(boundary: boundary, limits: limits)
        var outcome = MultipartOutcome()
        var rest = chunks[...]
        var finished = false
        var received = 0
        do {
            loop: while true {
                switch try scanner.next() {
                case .part(let part): outcome.begin(part)
                case .body(let chunk): outcome.append(chunk, ends: false)
                case .partEnd(let chunk): outcome.append(chunk, ends: true)
                case .end:
                    outcome.finished = true
                    let again = try scanner.next()
                    Invariant.check("multipart-end", { if case .end = again { true } else { false } }(), "asked again after the end: \(again)")
                    break loop
                case .needInput:
                    Invariant.check("multipart-finish", !finished, "needInput after finish()")
                    if let chunk = rest.popFirst() {
                        received += chunk.readableBytes
                        scanner.receive(chunk)
                    } else {
                        finished = true
                        scanner.finish()
                    }
                }
            }
        } catch let error as MultipartError {
            outcome.error = error.message
        } catch {
            Invariant.fail("multipart-error-type", "the scanner threw \(type(of: error)): \(error)")
        }
        Invariant.check("multipart-count", scanner.bytesReceived == Int64(received), "bytesReceived \(scanner.bytesReceived), fed \(received)")
        return outcome
    }

    /// MultipartReader over `chunks`, each part's body read to its end.
    static func readAll(_ chunks: [ByteBuffer], boundary: String, limits: MultipartScanner.Limits) async -> MultipartOutcome {
        let reader = MultipartReader(boundary: boundary, source: ChunkSource(chunks), limits: limits)
        var outcome = MultipartOutcome()
        do {
            while let part = try await reader.nextPart() {
                outcome.begin(part)
                while let chunk = try await reader.nextChunk() { outcome.append(chunk, ends: false) }
                outcome.parts[outcome.parts.count - 1].ended = true
            }
            outcome.finished = true
        } catch let error as MultipartError {
            outcome.error = error.message
        } catch {
            Invariant.fail("multipart-error-type", "the reader threw \(type(of: error)): \(error)")
        }
        return outcome
    }
}
