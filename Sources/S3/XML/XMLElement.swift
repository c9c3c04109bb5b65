import Checksums

/// A parsed XML element: enough of XML for S3's responses (elements, text, entities, CDATA;
/// attributes and namespaces are read past, prefixes dropped).
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var children: [XMLElement]
    /// The element's own text (entities decoded), without its children's.
    public var text: String

    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The text of the child `name`, if there is one.
    public subscript(name: String) -> String? { child(name)?.text }
}

public struct XMLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "malformed XML at byte \(offset): \(message)" }
}

extension XMLElement {
    /// Parses a document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLError) -> XMLElement {
        var parser = XMLParser(bytes: bytes)
        return try parser.document()
    }

    public static func parse(_ text: String) throws(XMLError) -> XMLElement { try parse(Array(text.utf8)) }
}

private struct XMLParser {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLError) -> XMLElement {
        try skipMisc()
        guard peek("<") else { throw fail("expected the root element") }
        let root = try element()
        try skipMisc()
        guard i == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Whitespace, the XML declaration, processing instructions, comments and DOCTYPE.
    mutating func skipMisc() throws(XMLError) {
        while true {
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            if starts("<?") { try skip(past: "?>") } else if starts("<!--") { try skip(past: "-->") } else if starts("<!DOCTYPE") { try skip(past: ">") } else { return }
        }
    }

    mutating func element() throws(XMLError) -> XMLElement {
        i += 1  // <
        let name = localName(readName())
        guard !name.isEmpty else { throw fail("expected an element name") }
        // Attributes: read past them, minding quoted values.
        while i < bytes.count, bytes[i] != UInt8(ascii: ">"), !starts("/>") {
            if bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") {
                let quote = bytes[i]
                i += 1
                while i < bytes.count, bytes[i] != quote { i += 1 }
            }
            i += 1
        }
        if starts("/>") {
            i += 2
            return XMLElement(name: name, children: [], text: "")
        }
        guard i < bytes.count else { throw fail("unterminated start tag <\(name)>") }
        i += 1  // >
        var children: [XMLElement] = []
        var text: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("missing </\(name)>") }
            if starts("</") {
                i += 2
                let closing = localName(readName())
                guard closing == name else { throw fail("</\(closing)> closes <\(name)>") }
                while i < bytes.count, isSpace(bytes[i]) { i += 1 }
                guard peek(">") else { throw fail("unterminated end tag") }
                i += 1
                return XMLElement(name: name, children: children, text: String(decoding: text, as: UTF8.self))
            } else if starts("<![CDATA[") {
                i += 9
                let start = i
                try skip(past: "]]>")
                text += bytes[start..<(i - 3)]
            } else if starts("<!--") {
                try skip(past: "-->")
            } else if peek("<") {
                children.append(try element())
            } else if peek("&") {
                text += try entity()
            } else {
                text.append(bytes[i])
                i += 1
            }
        }
    }

    mutating func entity() throws(XMLError) -> [UInt8] {
        let start = i
        guard let end = bytes[i...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { throw fail("unterminated entity") }
        let name = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        i = end + 1
        switch name {
        case "amp": return Array("&".utf8)
        case "lt": return Array("<".utf8)
        case "gt": return Array(">".utf8)
        case "quot": return Array("\"".utf8)
        case "apos": return Array("'".utf8)
        default:
            let value: UInt32? =
                name.hasPrefix("#x") ? UInt32(name.dropFirst(2), radix: 16) : name.hasPrefix("#") ? UInt32(name.dropFirst(), radix: 10) : nil
            guard let value, let scalar = Unicode.Scalar(value) else { throw fail("unknown entity &\(name);") }
            return Array(String(Character(scalar)).utf8)
        }
    }

    mutating func readName() -> String {
        let start = i
        while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: ">"), bytes[i] != UInt8(ascii: "/") { i += 1 }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    func localName(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    mutating func skip(past marker: String) throws(XMLError) {
        let m = Array(marker.utf8)
        while i + m.count <= bytes.count {
            if bytes[i..<(i + m.count)].elementsEqual(m) {
                i += m.count
                return
            }
            i += 1
        }
        throw fail("missing \(marker)")
    }

    func starts(_ text: String) -> Bool {
        let t = Array(text.utf8)
        return i + t.count <= bytes.count && bytes[i..<(i + t.count)].elementsEqual(t)
    }

    func peek(_ c: Unicode.Scalar) -> Bool { i < bytes.count && bytes[i] == UInt8(ascii: c) }

    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    func fail(_ message: String) -> XMLError { XMLError(message: message, offset: i) }
}

/// Text for XML element content: &, < and > escaped.
func xmlEscaped(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
