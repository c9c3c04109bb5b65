/// Sizes as written in config: bytes, or a number with a unit.
public enum ByteSize {
    static let units: [(String, Int64)] = [
        ("B", 1), ("KB", 1000), ("KiB", 1 << 10), ("MB", 1_000_000), ("MiB", 1 << 20),
        ("GB", 1_000_000_000), ("GiB", 1 << 30), ("TB", 1_000_000_000_000), ("TiB", 1 << 40),
    ]

    public struct ParseError: Error, Sendable { public var message: String }

    /// `1048576`, `20MiB`, `20 MiB`, `1.5GB`. Units are case-sensitive (KB is 1000, KiB 1024).
    public static func parse(_ text: String) throws(ParseError) -> Int64 {
        let trimmed = text.trimmingSpaces()
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let number = trimmed[..<numberEnd]
        let unit = trimmed[numberEnd...].trimmingCharacters()
        let unitList = units.map(\.0).joined(separator: ", ")
        guard !number.isEmpty, let value = Double(number), value.isFinite else {
            throw ParseError(message: "\"\(text)\" is not a size (write bytes or a number with a unit: \(unitList))")
        }
        guard let multiplier = unit.isEmpty ? 1 : units.first(where: { $0.0 == unit })?.1 else {
            let hint = units.first { $0.0.lowercased() == unit.lowercased() }.map { " (did you mean \($0.0)?)" } ?? ""
            throw ParseError(message: "\"\(text)\": unknown unit \"\(unit)\"\(hint); units: \(unitList)")
        }
        let bytes = (value * Double(multiplier)).rounded()
        guard bytes < 9.2e18 else { throw ParseError(message: "\"\(text)\" is too large") }
        guard unit.isEmpty ? !number.contains(".") : true else {
            throw ParseError(message: "\"\(text)\": a size in bytes must be a whole number")
        }
        return Int64(bytes)
    }

    /// A size for people: `20 MiB`, `1.5 GiB`, `999 B`.
    public static func format(_ bytes: Int64) -> String {
        let binary: [(String, Int64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, size) in binary where bytes >= size {
            let value = Double(bytes) / Double(size)
            if value == value.rounded() { return "\(Int64(value)) \(name)" }
            return "\(formatDecimal(value)) \(name)"
        }
        return "\(bytes) B"
    }

    static func formatDecimal(_ value: Double) -> String {
        let hundredths = Int64((value * 100).rounded())
        let whole = hundredths / 100, fraction = hundredths % 100
        if fraction == 0 { return "\(whole)" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingSpaces() }
}
