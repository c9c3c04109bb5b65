extension MediaType {
    /// The type a browser sends for a file with this name (by extension, as Chrome and Firefox
    /// map them), or application/octet-stream when the extension is unknown or missing.
    public static func forFilename(_ name: String) -> String {
        Filename.pathExtension(name).flatMap { byExtension[$0] } ?? octetStream
    }

    /// Extension (lowercase, no dot) to media type.
    public static let byExtension: [String: String] = [
        // images
        "png": "image/png", "apng": "image/apng", "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg",
        "jfif": "image/jpeg", "pjpeg": "image/jpeg", "pjp": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "avif": "image/avif", "bmp": "image/bmp", "ico": "image/x-icon", "cur": "image/x-icon", "tif": "image/tiff",
        "tiff": "image/tiff", "svg": "image/svg+xml", "svgz": "image/svg+xml", "heic": "image/heic", "heif": "image/heif",
        "jxl": "image/jxl", "psd": "image/vnd.adobe.photoshop", "xbm": "image/x-xbitmap",
        // documents
        "pdf": "application/pdf", "txt": "text/plain", "text": "text/plain", "log": "text/plain", "md": "text/markdown",
        "markdown": "text/markdown", "csv": "text/csv", "tsv": "text/tab-separated-values", "rtf": "application/rtf",
        "html": "text/html", "htm": "text/html", "shtml": "text/html", "xhtml": "application/xhtml+xml",
        "xht": "application/xhtml+xml", "xml": "text/xml", "xsl": "text/xsl", "css": "text/css", "ics": "text/calendar",
        "vcf": "text/vcard", "vtt": "text/vtt", "srt": "application/x-subrip",
        "doc": "application/msword", "dot": "application/msword", "xls": "application/vnd.ms-excel",
        "ppt": "application/vnd.ms-powerpoint", "msg": "application/vnd.ms-outlook", "vsd": "application/vnd.visio",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xltx": "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ppsx": "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        "potx": "application/vnd.openxmlformats-officedocument.presentationml.template",
        "docm": "application/vnd.ms-word.document.macroenabled.12",
        "xlsm": "application/vnd.ms-excel.sheet.macroenabled.12",
        "pptm": "application/vnd.ms-powerpoint.presentation.macroenabled.12",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "odp": "application/vnd.oasis.opendocument.presentation", "odg": "application/vnd.oasis.opendocument.graphics",
        "epub": "application/epub+zip", "ipynb": "application/x-ipynb+json",
        // data and code
        "json": "application/json", "jsonld": "application/ld+json", "geojson": "application/geo+json",
        "ndjson": "application/x-ndjson", "yaml": "application/yaml", "yml": "application/yaml",
        "toml": "application/toml", "js": "text/javascript", "mjs": "text/javascript", "cjs": "text/javascript",
        "ts": "text/plain", "sql": "application/sql", "sh": "application/x-sh", "bash": "application/x-sh",
        "py": "text/x-python", "rb": "text/x-ruby", "pl": "text/x-perl", "php": "application/x-httpd-php",
        "c": "text/x-c", "h": "text/x-c", "cc": "text/x-c++", "cpp": "text/x-c++", "hpp": "text/x-c++",
        "java": "text/x-java", "go": "text/x-go", "rs": "text/x-rust", "swift": "text/x-swift", "tex": "application/x-tex",
        "wasm": "application/wasm",
        // archives
        "zip": "application/zip", "gz": "application/gzip", "tgz": "application/x-compressed-tar",
        "tar": "application/x-tar", "bz2": "application/x-bzip2", "xz": "application/x-xz", "zst": "application/zstd",
        "7z": "application/x-7z-compressed", "rar": "application/vnd.rar", "jar": "application/java-archive",
        "apk": "application/vnd.android.package-archive", "xpi": "application/x-xpinstall", "kmz": "application/vnd.google-earth.kmz",
        "iso": "application/x-iso9660-image", "dmg": "application/x-apple-diskimage", "deb": "application/vnd.debian.binary-package",
        "rpm": "application/x-rpm",
        // audio and video
        "mp3": "audio/mpeg", "wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg", "oga": "audio/ogg",
        "opus": "audio/ogg", "m4a": "audio/mp4", "aac": "audio/aac", "weba": "audio/webm", "mid": "audio/midi",
        "midi": "audio/midi", "mp4": "video/mp4", "m4v": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
        "ogv": "video/ogg", "mkv": "video/x-matroska", "avi": "video/x-msvideo", "mpeg": "video/mpeg", "mpg": "video/mpeg",
        "3gp": "video/3gpp", "3g2": "video/3gpp2", "wmv": "video/x-ms-wmv",
        // fonts
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf", "eot": "application/vnd.ms-fontobject",
        // programs
        "exe": "application/x-msdownload", "dll": "application/x-msdownload", "msi": "application/x-msi",
        "bin": "application/octet-stream", "so": "application/x-sharedlib", "elf": "application/x-executable",
        "swf": "application/x-shockwave-flash",
    ]
}
