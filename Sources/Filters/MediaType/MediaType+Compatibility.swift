extension MediaType {
    /// Whether content that libmagic sniffed as `sniffed` is what a client could honestly have
    /// meant by `claimed`. The rules, in order (both sides canonical, parameters ignored):
    ///
    /// 1. An absent or generic claim (application/octet-stream, ...) fits anything, when
    ///    `genericFitsAll` (browsers send it for any type they do not know).
    /// 2. The same type fits, after aliases (image/jpg is image/jpeg, text/xml is application/xml).
    /// 3. Text: libmagic reports much structured text (CSV, JSON, Markdown, source) as text/plain,
    ///    so a textual claim fits a sniffed textual type, unless the sniffed type is active
    ///    content (HTML, XML, SVG, JavaScript) and the claim was not: text/plain that is really
    ///    HTML is a mismatch. An empty file fits any textual claim.
    /// 4. Containers: a zip-based format (docx, xlsx, odt, epub, jar, apk, ...) fits a sniffed
    ///    application/zip and the other way round; the OLE2 formats (doc, xls, ppt, msi) fit
    ///    each other; likewise the ISO media (mp4/m4a/m4v/3gp) and Ogg families.
    public static func fits(claimed: String?, sniffed: String, genericFitsAll: Bool = true) -> Bool {
        let claim = claimed.flatMap(canonical)
        guard let sniffed = canonical(sniffed) else { return false }
        guard let claim, !isGeneric(claim) else { return genericFitsAll }
        if claim == sniffed { return true }
        if isTextual(claim) {
            if sniffed == "application/x-empty" { return true }
            if isTextual(sniffed) && (!isActive(sniffed) || isActive(claim)) { return true }
        }
        return families.contains { $0.contains(claim) && $0.contains(sniffed) }
    }

    /// Text a person could read: text/*, JSON, XML, YAML, scripts, and the +json/+xml types.
    public static func isTextual(_ type: String) -> Bool {
        guard let type = canonical(type) else { return false }
        return type.hasPrefix("text/") || type.hasSuffix("+json") || type.hasSuffix("+xml") || textualApplicationTypes.contains(type)
    }

    /// Types a browser may run script from when it renders them in the page's origin.
    public static func isActive(_ type: String) -> Bool {
        guard let type = canonical(type) else { return true }
        return activeTypes.contains(type) || type.hasSuffix("+xml")
    }

    static let textualApplicationTypes: Set<String> = [
        "application/json", "application/xml", "application/javascript", "application/yaml", "application/toml",
        "application/sql", "application/x-ndjson", "application/x-tex", "application/x-latex", "application/x-httpd-php",
        "application/x-perl", "application/x-python", "application/x-ruby", "application/graphql", "application/x-empty",
    ]

    static let activeTypes: Set<String> = [
        "text/html", "application/xhtml+xml", "image/svg+xml", "application/xml", "application/javascript",
        "text/xsl", "application/xslt+xml", "application/x-shockwave-flash", "application/vnd.wap.xhtml+xml",
        "text/x-component", "application/mathml+xml",
    ]

    static let zipFamily: Set<String> = [
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        "application/vnd.openxmlformats-officedocument.presentationml.template",
        "application/vnd.ms-word.document.macroenabled.12", "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.ms-powerpoint.presentation.macroenabled.12",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation", "application/vnd.oasis.opendocument.graphics",
        "application/epub+zip", "application/java-archive", "application/x-java-archive",
        "application/vnd.android.package-archive", "application/x-xpinstall", "application/vnd.google-earth.kmz",
        "application/vnd.ms-visio.drawing.main+xml", "model/3mf", "application/x-ipynb+zip",
    ]

    static let oleFamily: Set<String> = [
        "application/x-ole-storage", "application/msword", "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint", "application/x-msi", "application/vnd.ms-outlook",
        "application/vnd.visio",
    ]

    static let isoMediaFamily: Set<String> = [
        "video/mp4", "audio/mp4", "video/3gpp", "video/3gpp2", "audio/3gpp", "audio/3gpp2",
    ]

    static let oggFamily: Set<String> = ["application/ogg", "audio/ogg", "video/ogg", "audio/opus"]

    static let gzipFamily: Set<String> = [
        "application/gzip", "application/x-compressed-tar", "application/x-tgz", "application/x-gtar-compressed",
    ]

    static let families = [zipFamily, oleFamily, isoMediaFamily, oggFamily, gzipFamily]
}
