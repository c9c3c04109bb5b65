#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `value; name=token; name="quoted"` as in Content-Type and Content-Disposition headers.
enum HeaderParameters {
    /// Calls `parameter` with each parameter after the first `;`: its name as sent and its value.
    /// Quoted strings lose their quotes; `\"` and `\\` are unescaped (other backslashes stay:
    /// old browsers sent Windows paths) and kept as sent, spaces included, as browsers' one-pass
    /// path (`MultipartPart.browserHead`) keeps them. Names and unquoted values are trimmed.
    static func forEach(in header: UnsafeRawBufferPointer, _ parameter: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        guard let base = header.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let first = memchr(base, Int32(UInt8(ascii: ";")), header.count) else { return }
        let semicolon = UInt8(ascii: ";"), equals = UInt8(ascii: "="), quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        func bytes(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + from, count: to - from) }
        let end = header.count
        var i = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(first)) + 1
        while i < end {
            while i < end, isSpace(base[i]) || base[i] == semicolon { i += 1 }
            let nameStart = i
            while i < end, base[i] != equals, base[i] != semicolon { i += 1 }
            let name = PartHeaders.trimmed(bytes(nameStart, i))
            guard i < end, base[i] == equals else { continue }
            i += 1
            while i < end, isSpace(base[i]) { i += 1 }
            if i < end, base[i] == quote {
                i += 1
                let valueStart = i
                var escaped = false
                while i < end, base[i] != quote {
                    if base[i] == backslash, i + 1 < end, base[i + 1] == quote || base[i + 1] == backslash {
                        escaped = true
                        i += 1
                    }
                    i += 1
                }
                let value = bytes(valueStart, i)
                i += 1
                guard !name.isEmpty else { continue }
                if escaped {
                    unescaped(value).withUnsafeBytes { parameter(name, $0) }
                } else {
                    parameter(name, value)
                }
            } else {
                let valueStart = i
                while i < end, base[i] != semicolon { i += 1 }
                if !name.isEmpty { parameter(name, PartHeaders.trimmed(bytes(valueStart, i))) }
            }
        }
    }

    /// The parameters of a header value, names lowercased; the first of a name wins.
    static func parse(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        Array(header.utf8).withUnsafeBytes { bytes in
            forEach(in: bytes) { name, value in
                let key = PartHeaders.text(name).lowercased()
                if result[key] == nil { result[key] = PartHeaders.text(value) }
            }
        }
        return result
    }

    private static func unescaped(_ quoted: UnsafeRawBufferPointer) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(quoted.count)
        var i = 0
        while i < quoted.count {
            if quoted[i] == UInt8(ascii: "\\"), i + 1 < quoted.count, quoted[i + 1] == UInt8(ascii: "\"") || quoted[i + 1] == UInt8(ascii: "\\") { i += 1 }
            bytes.append(quoted[i])
            i += 1
        }
        return bytes
    }
}
