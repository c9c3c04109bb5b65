import Filters
import Logging

/// The escaping rule of ``EscapingLogHandler``.
enum LogEscaping {
    static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(escape(text))
        case .stringConvertible(let convertible): .string(escape(convertible.description))
        case .array(let values): .array(values.map(escape))
        case .dictionary(let values): .dictionary(values.mapValues(escape))
        }
    }

    static func escape(_ text: String) -> String {
        // Most values need nothing: check before building a copy.
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\\" {
                out += "\\\\"
            } else if needsEscape(scalar) {
                out += scalar.value < 0x100 ? "\\x" + hex(scalar.value, width: 2) : "\\u{" + hex(scalar.value, width: 4) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// What Filename strips from names (controls, bidi overrides), the line and paragraph
    /// separators some log viewers break lines at, and the backslash that escapes begin with.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\\" || scalar == "\u{2028}" || scalar == "\u{2029}" || Filename.isControl(scalar)
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        String(value, radix: 16, uppercase: true).leftPadded(to: width)
    }
}
