import NIOCore

/// `disposition`: decides whether browsers show the object (`inline`) or download it
/// (`attachment`), from the final Content-Type, and writes the Content-Disposition header with
/// the filename.
public struct DispositionFilter: Filter {
    public static let defaultInline = [
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "application/pdf", "video/mp4", "audio/mpeg",
    ]

    public let inline: [MediaTypePattern]
    /// Let active content (HTML, SVG, XML, JavaScript) be inline when listed. Dangerous: such a
    /// file runs script in the origin it is served from.
    public let allowActiveContent: Bool
    var decided = false

    public init(inline: [MediaTypePattern], allowActiveContent: Bool = false) {
        self.inline = inline
        self.allowActiveContent = allowActiveContent
    }

    public mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        if !decided { decide(&upload) }
        return chunk
    }

    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        if !decided { decide(&upload) }
        return nil
    }

    private mutating func decide(_ upload: inout Upload) {
        decided = true
        let disposition = DispositionFilter.disposition(for: upload.contentType, inline: inline, allowActiveContent: allowActiveContent)
        upload.disposition = disposition
        upload.contentDisposition = ContentDisposition.header(disposition, filename: upload.filename)
    }

    static func disposition(for contentType: String?, inline: [MediaTypePattern], allowActiveContent: Bool) -> Disposition {
        guard let type = contentType.flatMap(MediaType.essence), !MediaType.isGeneric(type) else { return .attachment }
        if MediaType.isActive(type) && !allowActiveContent { return .attachment }
        return inline.matches(type) ? .inline : .attachment
    }
}

extension DispositionFilter {
    static let definition = FilterDefinition(
        name: "disposition",
        summary: "Sets Content-Disposition: inline for the listed types, attachment for everything else, with the filename per RFC 6266.",
        options: [
            .init("inline", "list of type patterns", default: defaultInline.joined(separator: ", "), "Types browsers may show in place."),
            .init("allowActiveContent", "bool", default: "false", "Let HTML, SVG, XML and JavaScript be inline when listed (they can run script in your origin)."),
        ]
    ) { options throws(ConfigError) in
        let inline = try options.typePatterns("inline") ?? defaultInline.map { try! MediaTypePattern($0) }
        let allowActive = try options.bool("allowActiveContent", default: false)
        var warnings: [String] = []
        let activeListed = inline.filter { pattern in activeExamples.contains { pattern.matches($0) } }
        if allowActive {
            let which = activeListed.isEmpty ? "" : " (listed: \(activeListed.map(\.description).joined(separator: ", ")))"
            warnings.append("allowActiveContent is on: HTML, SVG, XML or JavaScript served inline can run script in the origin that serves it\(which)")
        } else if !activeListed.isEmpty {
            warnings.append("\(activeListed.map(\.description).joined(separator: ", ")) covers active content (HTML, SVG, XML, JavaScript), which stays attachment unless allowActiveContent is set")
        }
        return FilterStep(
            name: "disposition",
            traits: FilterTraits(reads: [.contentType], writes: [.contentDisposition]),
            summary: "inline " + (inline.isEmpty ? "nothing" : inline.map(\.description).joined(separator: ", ")) + (allowActive ? "; active content allowed" : ""),
            warnings: warnings
        ) {
            DispositionFilter(inline: inline, allowActiveContent: allowActive)
        }
    }

    static let activeExamples = ["text/html", "application/xhtml+xml", "image/svg+xml", "application/xml", "text/xml", "application/javascript", "text/javascript"]
}
