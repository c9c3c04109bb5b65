extension MediaType {
    /// Names clients and libmagic use for the same thing, mapped to one canonical name.
    static let aliases: [String: String] = [
        // images
        "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-citrix-jpeg": "image/jpeg",
        "image/x-png": "image/png", "image/x-citrix-png": "image/png", "image/apng": "image/png",
        "image/x-ms-bmp": "image/bmp", "image/x-bmp": "image/bmp",
        "image/x-icon": "image/vnd.microsoft.icon", "image/ico": "image/vnd.microsoft.icon",
        "image/x-tiff": "image/tiff", "image/x-webp": "image/webp",
        "image/heic-sequence": "image/heic", "image/heif": "image/heic",
        "image/svg": "image/svg+xml",
        // documents
        "application/x-pdf": "application/pdf", "application/acrobat": "application/pdf",
        "text/pdf": "application/pdf",
        "application/x-zip-compressed": "application/zip", "application/x-zip": "application/zip",
        "application/zip-compressed": "application/zip",
        "application/x-gzip": "application/gzip", "application/gzip-compressed": "application/gzip",
        "application/x-gzip-compressed": "application/gzip",
        "application/x-bzip2": "application/x-bzip2", "application/x-7z-compressed": "application/x-7z-compressed",
        "application/x-rar-compressed": "application/vnd.rar", "application/x-rar": "application/vnd.rar",
        "application/x-tar": "application/x-tar", "application/x-gtar": "application/x-tar",
        "application/x-xz": "application/x-xz", "application/zstd": "application/zstd",
        "application/x-zstd": "application/zstd",
        "application/rtf": "text/rtf",
        "application/cdfv2": "application/x-ole-storage", "application/vnd.ms-office": "application/x-ole-storage",
        // text
        "text/javascript": "application/javascript", "application/x-javascript": "application/javascript",
        "application/ecmascript": "application/javascript", "text/ecmascript": "application/javascript",
        "text/x-javascript": "application/javascript",
        "text/xml": "application/xml", "application/x-xml": "application/xml",
        "text/json": "application/json", "application/x-json": "application/json",
        "text/x-csv": "text/csv", "application/csv": "text/csv", "text/comma-separated-values": "text/csv",
        "application/x-yaml": "application/yaml", "text/yaml": "application/yaml", "text/x-yaml": "application/yaml",
        "text/x-markdown": "text/markdown",
        "application/x-sh": "text/x-shellscript", "application/x-shellscript": "text/x-shellscript",
        "text/x-sh": "text/x-shellscript",
        // audio and video
        "audio/mp3": "audio/mpeg", "audio/x-mp3": "audio/mpeg", "audio/x-mpeg": "audio/mpeg",
        "audio/mpeg3": "audio/mpeg", "audio/x-mpeg-3": "audio/mpeg",
        "audio/x-wav": "audio/wav", "audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav", "audio/x-pn-wav": "audio/wav",
        "audio/x-flac": "audio/flac", "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4",
        "audio/x-aac": "audio/aac", "audio/x-hx-aac-adts": "audio/aac",
        "video/x-m4v": "video/mp4", "video/x-msvideo": "video/x-msvideo", "video/avi": "video/x-msvideo",
        "video/msvideo": "video/x-msvideo", "video/x-matroska": "video/x-matroska",
        "video/mkv": "video/x-matroska",
        // fonts
        "application/font-woff": "font/woff", "application/x-font-woff": "font/woff",
        "application/font-sfnt": "font/ttf", "application/x-font-ttf": "font/ttf", "font/sfnt": "font/ttf",
        "application/x-font-otf": "font/otf", "application/vnd.ms-opentype": "font/otf",
        // executables: one name for "a program", whichever flavour libmagic sees
        "application/x-pie-executable": "application/x-executable",
        "application/x-sharedlib": "application/x-executable",
        "application/x-msdownload": "application/x-dosexec", "application/x-msdos-program": "application/x-dosexec",
        "application/vnd.microsoft.portable-executable": "application/x-dosexec",
        "application/x-mach-binary": "application/x-mach-binary",
    ]
}
