/// Client filenames, made safe to use in keys and headers.
public enum Filename {
    /// The most UTF-8 bytes of a sanitized name: what common file systems allow, and small
    /// enough that a key (1,024 bytes in S3) and a Content-Disposition header (AWS refuses
    /// headers over 8 KB) built from it stay valid.
    public static let maximumBytes = 255
    /// The longest extension a shortened name keeps.
    public static let maximumExtensionBytes = 16

    /// The last path component, without control characters and surrounding spaces, cut to
    /// ``maximumBytes`` (see ``limit(_:toBytes:)``); nil if nothing usable is left (".", "..",
    /// "", or only control characters).
    public static func sanitize(_ raw: String) -> String? {
        // Browsers send a basename, but old IE sent full Windows paths: take what follows the last separator.
        let base = raw.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last.map(String.init) ?? raw
        var cleaned = String.UnicodeScalarView()
        for scalar in base.unicodeScalars where !isControl(scalar) {
            cleaned.append(scalar)
        }
        let trimmed = limit(String(cleaned).trimmingSpaces(), toBytes: maximumBytes).trimmingSpaces()
        if trimmed.isEmpty || trimmed == "." || trimmed == ".." { return nil }
        return trimmed
    }

    /// `name` cut to at most `bytes` UTF-8 bytes, on a Unicode scalar boundary: the stem is
    /// shortened and the extension kept when it has at most ``maximumExtensionBytes`` (a longer
    /// one is cut like the rest of the name).
    public static func limit(_ name: String, toBytes bytes: Int) -> String {
        guard name.utf8.count > bytes else { return name }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let ext = name[dot...]
            if ext.utf8.count <= maximumExtensionBytes, ext.utf8.count < bytes {
                return prefix(name[..<dot], bytes: bytes - ext.utf8.count) + ext
            }
        }
        return prefix(Substring(name), bytes: bytes)
    }

    /// The longest run of whole scalars from the start of `text` within `bytes` UTF-8 bytes.
    package static func prefix(_ text: Substring, bytes: Int) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            count += UTF8.width(scalar)
            if count > bytes { break }
            out.append(scalar)
        }
        return String(out)
    }

    /// The extension after the last dot, lowercased, or nil ("archive.tar.gz" gives "gz").
    public static func pathExtension(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        return ext.isEmpty ? nil : ext.lowercased()
    }

    /// C0, DEL and C1 controls, and the bidi overrides that make text display as something else.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
