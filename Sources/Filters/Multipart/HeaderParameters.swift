/// `value; name=token; name="quoted"` as in Content-Type and Content-Disposition headers.
enum HeaderParameters {
    /// The parameters after the first `;`, names lowercased. Quoted strings lose their quotes;
    /// `\"` and `\\` are unescaped (other backslashes stay: old browsers sent Windows paths).
    static func parse(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        let scalars = Array(header.unicodeScalars)
        var i = scalars.firstIndex(of: ";").map { $0 + 1 } ?? scalars.count
        while i < scalars.count {
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" || scalars[i] == ";" { i += 1 }
            let nameStart = i
            while i < scalars.count, scalars[i] != "=", scalars[i] != ";" { i += 1 }
            let name = String(String.UnicodeScalarView(scalars[nameStart..<i])).trimmingSpaces().lowercased()
            guard i < scalars.count, scalars[i] == "=" else { continue }
            i += 1
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
            var value = String.UnicodeScalarView()
            if i < scalars.count, scalars[i] == "\"" {
                i += 1
                while i < scalars.count, scalars[i] != "\"" {
                    if scalars[i] == "\\", i + 1 < scalars.count, scalars[i + 1] == "\"" || scalars[i + 1] == "\\" { i += 1 }
                    value.append(scalars[i])
                    i += 1
                }
                i += 1
            } else {
                while i < scalars.count, scalars[i] != ";" {
                    value.append(scalars[i])
                    i += 1
                }
            }
            if !name.isEmpty, result[name] == nil { result[name] = String(value).trimmingSpaces() }
        }
        return result
    }
}
