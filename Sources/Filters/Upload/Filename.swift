/// Client filenames, made safe to use in keys and headers.
public enum Filename {
    /// The last path component, without control characters and surrounding spaces; nil if
    /// nothing usable is left (".", "..", "", or only control characters).
    public static func sanitize(_ raw: String) -> String? {
        // Browsers send a basename, but old IE sent full Windows paths: take what follows the last separator.
        let base = raw.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last.map(String.init) ?? raw
        var cleaned = String.UnicodeScalarView()
        for scalar in base.unicodeScalars where !isControl(scalar) {
            cleaned.append(scalar)
        }
        let trimmed = String(cleaned).trimmingSpaces()
        if trimmed.isEmpty || trimmed == "." || trimmed == ".." { return nil }
        return trimmed
    }

    /// The extension after the last dot, lowercased, or nil ("archive.tar.gz" gives "gz").
    public static func pathExtension(_ name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        return ext.isEmpty ? nil : ext.lowercased()
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        // C0, DEL and C1 controls, plus the bidi overrides that make a name display as something else.
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
