@testable import Filters
@testable import Multipart

/// ContentDisposition.header(_:filename:) on arbitrary filenames, read back with
/// `StrictDisposition`. The first byte picks how the rest becomes a name: UTF-8 (invalid bytes
/// repaired), or UTF-16 code units, which reach far more of Unicode per mutation.
///
/// Invariants: the header is printable ASCII (no CR, LF or other control byte); it parses
/// strictly; with no usable name it is the bare type, otherwise `filename` then `filename*`;
/// `filename*` decodes to exactly Filename.sanitize(name), and so does Sluice's own reading of
/// it (MultipartPart.decodeExtended, what a client sending it back gets); the fallback is a
/// non-empty quoted-string of printable ASCII, equal to the name when that is ASCII.
enum ContentDispositionTarget: FuzzTarget {
    static let name = "content-disposition"

    static func run(_ bytes: [UInt8]) {
        guard let mode = bytes.first else { return }
        let rest = bytes.dropFirst()
        let filename: String
        if mode & 1 == 0 {
            filename = String(decoding: rest, as: UTF8.self)
        } else {
            let units = stride(from: rest.startIndex, to: rest.endIndex - 1, by: 2).map { UInt16(rest[$0]) | UInt16(rest[$0 + 1]) << 8 }
            filename = String(decoding: units, as: UTF16.self)
        }
        for disposition in [Disposition.attachment, .inline] {
            check(ContentDisposition.header(disposition, filename: filename), disposition, filename)
        }
        Invariant.check("disposition-nil", ContentDisposition.header(.inline, filename: nil) == "inline", "no filename gave a parameter")
    }

    static func check(_ header: String, _ disposition: Disposition, _ filename: String) {
        let shown = "header(\(disposition), \(filename.debugDescription)) = \(header.debugDescription)"
        Invariant.check("disposition-bytes", header.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }, "\(shown) has a byte outside printable ASCII")
        let parsed: StrictDisposition
        do {
            parsed = try StrictDisposition(header)
        } catch {
            Invariant.fail("disposition-grammar", "\(shown): \(error)")
        }
        Invariant.check("disposition-type", parsed.type == disposition.rawValue, "\(shown) has the type \(parsed.type)")
        guard let sanitized = Filename.sanitize(filename) else {
            Invariant.check("disposition-no-name", parsed.parameters.isEmpty, "\(shown) has parameters for an unusable name")
            return
        }
        let names = parsed.parameters.map(\.name)
        guard names == ["filename", "filename*"] else {
            Invariant.fail("disposition-parameters", "\(shown) has the parameters \(names)")
        }
        let fallback = parsed.parameters[0].value, extended = parsed.parameters[1].value
        let decoded = StrictDisposition.decodeExtValue(extended)
        Invariant.check("disposition-extended", decoded == sanitized, "\(shown): filename* decodes to \(decoded.debugDescription), not \(sanitized.debugDescription)")
        let readBack = MultipartPart.decodeExtended(extended)
        Invariant.check("disposition-read-back", readBack == sanitized, "\(shown): Sluice reads filename* as \(readBack.debugDescription)")
        Invariant.check("disposition-fallback", !fallback.isEmpty && fallback.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }, "\(shown): fallback \(fallback.debugDescription)")
        if sanitized.utf8.allSatisfy({ $0 < 0x80 }) {
            Invariant.check("disposition-ascii-fallback", fallback == sanitized, "\(shown): an ASCII name has the fallback \(fallback.debugDescription)")
        }
        // The server's own parameter reader (the one multipart heads go through) agrees too.
        let own = HeaderParameters.parse(header)
        Invariant.check(
            "disposition-own-reader", own["filename*"] == extended && own["filename"] == fallback,
            "\(shown): HeaderParameters read filename \(own["filename"].debugDescription), filename* \(own["filename*"].debugDescription)")
    }
}
