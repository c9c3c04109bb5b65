import Checksums
import NIOCore

/// `gzip`: compresses uploads whose Content-Type matches `types` and sets Content-Encoding:
/// gzip; other types pass through untouched.
public struct GzipFilter: Filter {
    public static let defaultTypes = ["text/*", "application/json", "application/xml", "image/svg+xml", "application/javascript"]

    public let level: Int32
    public let types: [MediaTypePattern]
    var member: GzipMember?
    /// Where the member may compress blocks beside the reader (nil: on the upload's task).
    let helpers: HelperThreads?
    var decided = false

    public init(level: Int32 = 6, types: [MediaTypePattern], helpers: HelperThreads?) {
        self.level = level
        self.types = types
        self.helpers = helpers
    }

    public mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        if !decided { try decide(&upload) }
        guard let member else { return chunk }
        return try member.write(chunk)
    }

    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        if !decided { try decide(&upload) }
        guard let member else { return nil }
        defer { self.member = nil }
        return try member.finish()
    }

    private mutating func decide(_ upload: inout Upload) throws {
        decided = true
        // Already encoded (an earlier gzip step): compressing twice helps no one.
        guard upload.contentEncoding == nil, let type = upload.contentType, types.matches(type) else { return }
        member = GzipMember(level: level, helpers: helpers)
        upload.contentEncoding = "gzip"
    }
}

extension GzipFilter {
    static let definition = FilterDefinition(
        name: "gzip",
        summary: "Compresses matching types with gzip and sets Content-Encoding: gzip; other types pass through.",
        options: [
            .init("level", "1-9", default: "6", "zlib compression level: 1 fastest, 9 smallest."),
            .init("types", "list of type patterns", default: defaultTypes.joined(separator: ", "), "Content-Types to compress."),
        ]
    ) { options throws(ConfigError) in
        let level = Int32(try options.int("level", in: 1...9, default: 6))
        let types = try options.typePatterns("types") ?? defaultTypes.map { try! MediaTypePattern($0) }
        return FilterStep(
            name: "gzip",
            traits: FilterTraits(reads: [.contentType], writes: [.contentEncoding], transformsBytes: true),
            summary: "level \(level); " + types.map(\.description).joined(separator: ", ")
        ) { context in
            GzipFilter(level: level, types: types, helpers: context.resources.helperThreads)
        }
    }
}
