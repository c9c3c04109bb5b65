@testable import Filters
@testable import Storage
import Foundation

/// KeyTemplate(_:) and render(_:) with arbitrary filenames and field names: the template, the
/// filename and the field, separated by NUL bytes (a missing one is nil).
///
/// Invariants, each with its name for SLUICE_FUZZ_SKIP: a key is at most 1024 UTF-8 bytes
/// (`key-length`: S3's limit), has no control characters (`key-control`: C0, DEL, C1 and the
/// bidi overrides Filename.sanitize removes), is not empty (`key-empty`), and comes out the same
/// for the same upload, UUID and date (`key-stable`). UTF-8 validity holds by construction
/// (Swift strings), and is checked anyway (`key-utf8`).
enum KeyTemplateTarget: FuzzTarget {
    static let name = "key-template"
    static let uuid = UUID(uuidString: "1B4E28BA-2FA1-11D2-883F-0016D3CCA427")!
    static let date = Date(timeIntervalSince1970: 1_790_000_000)

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let text = String(decoding: input.field(), as: UTF8.self)
        let filename = input.isEmpty ? nil : String(decoding: input.field(), as: UTF8.self)
        let field = input.isEmpty ? nil : String(decoding: input.rest(), as: UTF8.self)
        guard let template = try? KeyTemplate(text) else { return }
        Invariant.check("key-description", template.description == text, "the template \(text.debugDescription) prints as \(template.description.debugDescription)")
        let upload = Upload(filename: filename, field: field)
        let key = template.render(upload, uuid: uuid, date: date)
        let shown = "template \(text.debugDescription), filename \(filename.debugDescription), field \(field.debugDescription): key \(key.debugDescription)"
        Invariant.check("key-length", key.utf8.count <= 1024, "\(shown) is \(key.utf8.count) bytes")
        Invariant.check("key-control", !key.unicodeScalars.contains(where: Filename.isControl), "\(shown) has a control character")
        Invariant.check("key-empty", !key.isEmpty, "\(shown) is empty")
        Invariant.check("key-utf8", String(validating: Array(key.utf8), as: UTF8.self) != nil, "\(shown) is not UTF-8")
        Invariant.check("key-stable", template.render(upload, uuid: uuid, date: date) == key, "\(shown) changes on a second render")
    }
}
