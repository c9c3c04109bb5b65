import NIOCore

/// `magic`: holds back the first `sniffBytes` (or the whole upload if shorter), asks libmagic
/// what they are, and then decides. The stored Content-Type is always the sniffed type.
public struct MagicFilter: Filter {
    public struct Policy: Sendable {
        public var sniffBytes: Int = 64 << 10
        public var allow: [MediaTypePattern]?
        public var deny: [MediaTypePattern] = []
        /// Store the sniffed type even when the claim does not fit it.
        public var useSniffedOnMismatch = false
        /// Require the filename's extension to fit the sniffed type.
        public var enforceExtensions = false

        public init() {}
    }

    public let policy: Policy
    private let handles: MagicPool
    var window = ByteBuffer()
    var decided = false

    public init(policy: Policy, resources: FilterResources) {
        self.policy = policy
        self.handles = resources.magic
    }

    public mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        if decided { return chunk }
        if window.readableBytes == 0, chunk.readableBytes >= policy.sniffBytes {
            // The common case for large uploads: the first chunk holds the whole window.
            try decide(chunk, &upload)
            return chunk
        }
        var chunk = chunk
        window.writeBuffer(&chunk)
        guard window.readableBytes >= policy.sniffBytes else { return nil }
        try decide(window, &upload)
        return release()
    }

    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        if decided { return nil }
        try decide(window, &upload)
        return release()
    }

    private mutating func release() -> ByteBuffer {
        defer { window = ByteBuffer() }
        return window
    }

    /// Sniffs the first `sniffBytes` of `buffer` and applies the policy.
    private mutating func decide(_ buffer: ByteBuffer, _ upload: inout Upload) throws {
        decided = true
        let verdict = try buffer.withUnsafeReadableBytes { bytes in
            let sample = UnsafeRawBufferPointer(rebasing: bytes.prefix(policy.sniffBytes))
            let verdict = try handles.identify(sample)
            return MagicFilter.singleByteVerdict(sample, libmagic: verdict)
        }
        let sniffed = MediaType.essence(verdict) ?? MediaType.octetStream
        upload.sniffedType = sniffed
        try check(sniffed, upload)
        upload.contentType = MagicFilter.contentType(sniffed: sniffed, libmagic: verdict)
    }

    private func check(_ sniffed: String, _ upload: Upload) throws {
        let isEmpty = sniffed == "application/x-empty"
        let subject = isEmpty ? "an empty file" : sniffed
        let content = isEmpty ? "the file is empty" : "the content is \(sniffed)"
        if policy.deny.matches(sniffed) {
            throw Rejection(code: "type_not_allowed", status: 415, message: "\(subject) is not allowed")
        }
        if let allow = policy.allow, !allow.matches(sniffed) {
            let list = allow.map(\.description).joined(separator: ", ")
            throw Rejection(code: "type_not_allowed", status: 415, message: "\(subject) is not allowed here (allowed: \(list))")
        }
        if !policy.useSniffedOnMismatch, !MediaType.fits(claimed: upload.declaredType, sniffed: sniffed) {
            let claim = upload.declaredType.flatMap(MediaType.essence) ?? upload.declaredType ?? ""
            throw Rejection(code: "type_mismatch", status: 415, message: "declared as \(claim), but \(content)")
        }
        if policy.enforceExtensions {
            let name = upload.safeFilename ?? ""
            guard let ext = Filename.pathExtension(name) else {
                throw Rejection(code: "extension_mismatch", status: 415, message: "the filename \"\(name)\" has no extension to check against \(subject)")
            }
            let expected = MediaType.byExtension[ext]
            guard let expected, MediaType.fits(claimed: expected, sniffed: sniffed, genericFitsAll: false) else {
                let meaning = expected.map { " (\($0))" } ?? ""
                throw Rejection(code: "extension_mismatch", status: 415, message: "the extension .\(ext)\(meaning) does not fit: \(content)")
            }
        }
    }

    /// libmagic will not name a one-byte file ("very short file"), though it calls two
    /// printable bytes text: a one-byte text file declared as text would be refused as a
    /// mismatch. One printable ASCII byte or whitespace is text; anything else stays unknown.
    static func singleByteVerdict(_ sample: UnsafeRawBufferPointer, libmagic verdict: String) -> String {
        guard sample.count == 1, MediaType.essence(verdict) == MediaType.octetStream else { return verdict }
        let byte = sample[0]
        let isText = (0x20...0x7E).contains(byte) || [0x09, 0x0A, 0x0D].contains(byte)
        return isText ? "text/plain; charset=us-ascii" : verdict
    }

    /// The sniffed type, with the charset libmagic found for text, so browsers do not guess.
    /// ASCII is announced as UTF-8: a later, unsniffed part of the file may use UTF-8, and
    /// ASCII is UTF-8 anyway.
    static func contentType(sniffed: String, libmagic verdict: String) -> String {
        guard sniffed.hasPrefix("text/") else { return sniffed }
        let parameters = verdict.split(separator: ";").dropFirst()
        guard let charset = parameters.lazy.compactMap({ parameter -> String? in
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters().lowercased() }
            return pair.count == 2 && pair[0] == "charset" ? pair[1] : nil
        }).first else { return sniffed }
        switch charset {
        case "us-ascii", "utf-8": return "\(sniffed); charset=utf-8"
        case "binary", "unknown-8bit", "": return sniffed
        default: return "\(sniffed); charset=\(charset)"
        }
    }
}

extension MagicFilter {
    static let definition = FilterDefinition(
        name: "magic",
        summary: "Sniffs the content with libmagic, enforces allowed types and the declared Content-Type, and stores the sniffed type.",
        options: [
            .init("sniffBytes", "size", default: "64KiB", "How much of the start libmagic looks at (held back until then)."),
            .init("allow", "list of type patterns", default: "all", "Sniffed types accepted, e.g. [image/png, image/*]."),
            .init("deny", "list of type patterns", default: "[]", "Sniffed types refused, checked before allow."),
            .init("mismatch", "reject | use-sniffed", default: "reject", "When the declared type does not fit the content: refuse (415 type_mismatch) or store the sniffed type."),
            .init("extensions", "enforce | ignore", default: "ignore", "enforce: the filename's extension must fit the sniffed type (415 extension_mismatch)."),
        ]
    ) { options throws(ConfigError) in
        var policy = Policy()
        if let sniff = try options.size("sniffBytes") {
            guard (1...(16 << 20)).contains(sniff) else { throw options.error("sniffBytes", "must be between 1 byte and 16 MiB") }
            policy.sniffBytes = Int(sniff)
        }
        policy.allow = try options.typePatterns("allow")
        policy.deny = try options.typePatterns("deny") ?? []
        policy.useSniffedOnMismatch = try options.choice("mismatch", ["reject", "use-sniffed"], default: "reject") == "use-sniffed"
        policy.enforceExtensions = try options.choice("extensions", ["enforce", "ignore"], default: "ignore") == "enforce"
        if let allow = policy.allow, allow.isEmpty { throw options.error("allow", "an empty allow list refuses everything; leave `allow` out to accept all types") }
        var summary = ["allow " + (policy.allow?.map(\.description).joined(separator: ", ") ?? "all")]
        if !policy.deny.isEmpty { summary.append("deny " + policy.deny.map(\.description).joined(separator: ", ")) }
        summary.append("mismatch " + (policy.useSniffedOnMismatch ? "use-sniffed" : "reject"))
        if policy.enforceExtensions { summary.append("extensions enforced") }
        if policy.sniffBytes != 64 << 10 { summary.append("sniff \(ByteSize.format(Int64(policy.sniffBytes)))") }
        let configured = policy
        return FilterStep(
            name: "magic",
            traits: FilterTraits(writes: [.sniffedType, .contentType], needsOriginalBytes: true),
            summary: summary.joined(separator: "; ")
        ) { context in
            MagicFilter(policy: configured, resources: context.resources)
        }
    }
}
