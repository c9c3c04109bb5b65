/// `value; name=token; name="quoted"` as in Content-Type and Content-Disposition headers.
enum HeaderParameters {
    /// Calls `parameter` with each parameter after the first `;`: its name as sent and its value.
    /// Quoted strings lose their quotes; `\"` and `\\` are unescaped (other backslashes stay:
    /// old browsers sent Windows paths). Names and values are trimmed of spaces and tabs.
    static func forEach(in header: UnsafeRawBufferPointer, _ parameter: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        let semicolon = UInt8(ascii: ";"), equals = UInt8(ascii: "="), quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var i = header.firstIndex(of: semicolon).map { $0 + 1 } ?? header.count
        while i < header.count {
            while i < header.count, isSpace(header[i]) || header[i] == semicolon { i += 1 }
            let nameStart = i
            while i < header.count, header[i] != equals, header[i] != semicolon { i += 1 }
            let name = PartHeaders.trimmed(UnsafeRawBufferPointer(rebasing: header[nameStart..<i]))
            guard i < header.count, header[i] == equals else { continue }
            i += 1
            while i < header.count, isSpace(header[i]) { i += 1 }
            if i < header.count, header[i] == quote {
                i += 1
                let valueStart = i
                var escaped = false
                while i < header.count, header[i] != quote {
                    if header[i] == backslash, i + 1 < header.count, header[i + 1] == quote || header[i + 1] == backslash {
                        escaped = true
                        i += 1
                    }
                    i += 1
                }
                let value = UnsafeRawBufferPointer(rebasing: header[valueStart..<i])
                i += 1
                guard !name.isEmpty else { continue }
                if escaped {
                    unescaped(value).withUnsafeBytes { parameter(name, PartHeaders.trimmed($0)) }
                } else {
                    parameter(name, PartHeaders.trimmed(value))
                }
            } else {
                let valueStart = i
                while i < header.count, header[i] != semicolon { i += 1 }
                if !name.isEmpty { parameter(name, PartHeaders.trimmed(UnsafeRawBufferPointer(rebasing: header[valueStart..<i]))) }
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
