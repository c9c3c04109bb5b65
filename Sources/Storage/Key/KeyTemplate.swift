import Filters
import Foundation
import S3

/// An object key template such as `{uuid}/{filename}`.
///
/// Placeholders: `{uuid}` a random UUID (lowercase), `{date}` today as YYYY/MM/DD (UTC),
/// `{filename}` the sanitized client filename (`upload` when there is none), `{ext}` its
/// extension with the dot (`.png`, or nothing), `{field}` the form field name (`file` when
/// there is none).
public struct KeyTemplate: Sendable, Equatable, CustomStringConvertible {
    public static let `default` = try! KeyTemplate("{uuid}/{filename}")
    public static let placeholders = ["uuid", "date", "filename", "ext", "field"]

    enum Piece: Equatable {
        case literal(String)
        case placeholder(String)
    }

    let pieces: [Piece]
    public let description: String

    public init(_ text: String) throws(KeyTemplateError) {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw KeyTemplateError(message: "\"\(text)\" has a { without a closing }")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard KeyTemplate.placeholders.contains(name) else {
                throw KeyTemplateError(message: "unknown placeholder {\(name)}; known: " + KeyTemplate.placeholders.map { "{\($0)}" }.joined(separator: ", "))
            }
            pieces.append(.placeholder(name))
            rest = rest[rest.index(after: close)...]
        }
        if rest.contains("}") { throw KeyTemplateError(message: "\"\(text)\" has a } without an opening {") }
        if !rest.isEmpty { pieces.append(.literal(String(rest))) }
        guard !pieces.isEmpty else { throw KeyTemplateError(message: "the key template is empty") }
        if text.hasPrefix("/") { throw KeyTemplateError(message: "\"\(text)\": keys must not start with /") }
        if text.unicodeScalars.contains(where: Filename.isControl) {
            throw KeyTemplateError(message: "\"\(text.debugDescription.dropFirst().dropLast())\" has a control character, which a key must not have")
        }
        // {ext} is empty for a name without one; every other piece always renders something.
        if pieces.allSatisfy({ $0 == .placeholder("ext") }) {
            throw KeyTemplateError(message: "\"\(text)\" gives an empty key for a filename without an extension; add {uuid} or {filename}")
        }
        self.pieces = pieces
        self.description = text
    }

    /// True when two uploads can never get the same key.
    public var isUnique: Bool { pieces.contains(.placeholder("uuid")) }

    /// S3's longest key, in UTF-8 bytes.
    public static let maximumKeyBytes = 1024

    /// The key for one upload. S3 keys are at most 1,024 bytes: past that the filename is
    /// shortened first (keeping a short extension, ``Filename/limit(_:toBytes:)``), then,
    /// should the rest of the template still be too long, the key is cut at 1,024 bytes.
    public func render(_ upload: Upload, uuid: UUID = .random(), date: Date = Date()) -> String {
        let filename = upload.safeFilename ?? "upload"
        func value(_ name: String, filename: String) -> String {
            switch name {
            case "uuid": uuid.uuidString.lowercased()
            case "date": KeyTemplate.dateFormat(date)
            case "filename": filename
            case "ext": Filename.pathExtension(filename).map { "." + $0 } ?? ""
            case "field": upload.field.flatMap(Filename.sanitize) ?? "file"
            default: ""
            }
        }
        func build(_ filename: String) -> String {
            pieces.map { piece in
                switch piece {
                case .literal(let text): text
                case .placeholder(let name): value(name, filename: filename)
                }
            }.joined()
        }
        let key = build(filename)
        let excess = key.utf8.count - KeyTemplate.maximumKeyBytes
        guard excess > 0 else { return key }
        let shortened = build(Filename.limit(filename, toBytes: Swift.max(filename.utf8.count - excess, 1)))
        return Filename.prefix(Substring(shortened), bytes: KeyTemplate.maximumKeyBytes)
    }

    static func dateFormat(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d/%02d/%02d", parts.year!, parts.month!, parts.day!)
    }
}

public struct KeyTemplateError: Error, Sendable {
    public var message: String
}
