import Filters
import Foundation

/// What one request may do: its route's limits, narrowed by an upload token's policy when the
/// route takes tokens. The handler applies it to every file of the request.
struct UploadGrant: Sendable {
    /// The token's `sub`, for the log line and each object's `x-amz-meta-sub`.
    var subject: String?
    var maxFiles: Int
    var maxRequestBytes: Int64?
    var maxFileBytes: Int64?
    /// Patterns the sniffed type must match; nil: the chain decides alone.
    var types: [MediaTypePattern]?
    var keyPrefix: String?
    var exactKey: String?
    /// Stored with each object, `sub` included.
    var metadata: [String: String] = [:]
    /// Signs the 201's receipt, on routes whose tokens are checked with a secret.
    var receipts: ReceiptSigner?
    /// The request's id and the client's address, for its receipt and webhook.
    var requestId = ""
    var clientAddress = ""

    /// S3 keeps at most 2 KiB of user metadata per object.
    static let maximumMetadataBytes = 2048
    static let maximumKeyBytes = 1024

    /// What the route allows without a token.
    init(route: RouteConfig) {
        maxFiles = route.maxFiles
        maxRequestBytes = route.maxRequestBytes
    }

    /// The route's limits narrowed by `policy`; refuses a policy that would widen them or that
    /// cannot be honoured.
    init(route: RouteConfig, policy: UploadPolicy?, subject: String?, configuredMetadata: Int = 0) throws(TokenRefusal) {
        self.init(route: route)
        self.subject = subject
        if let subject { metadata["sub"] = UploadGrant.headerSafe(subject) }
        guard let policy else {
            try checkMetadataSize(configuredMetadata)
            return
        }
        guard policy.unknownKeys.isEmpty else {
            throw TokenRefusal(.policyInvalid, "the sluice claim has \(policy.unknownKeys.map { "`\($0)`" }.joined(separator: ", ")), which Sluice does not know (known: \(UploadPolicy.CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let wanted = policy.route, wanted != route.path {
            throw TokenRefusal(.wrongRoute, "the token is for \(wanted), not \(route.path)")
        }
        if let files = policy.maxFiles {
            guard files >= 1 else { throw TokenRefusal(.policyInvalid, "maxFiles must be at least 1") }
            guard files <= route.maxFiles else { throw TokenRefusal(.policyWidens, "maxFiles \(files) is more than this route's \(route.maxFiles)") }
            maxFiles = files
        }
        if let bytes = policy.maxRequestBytes {
            guard bytes >= 0 else { throw TokenRefusal(.policyInvalid, "maxRequestBytes must not be negative") }
            if let limit = route.maxRequestBytes, bytes > limit {
                throw TokenRefusal(.policyWidens, "maxRequestBytes \(bytes) is more than this route's \(limit)")
            }
            maxRequestBytes = bytes
        }
        if let bytes = policy.maxFileBytes {
            guard bytes >= 0 else { throw TokenRefusal(.policyInvalid, "maxFileBytes must not be negative") }
            maxFileBytes = bytes
        }
        if let texts = policy.types {
            do {
                types = try MediaTypePattern.parseList(texts)
            } catch {
                throw TokenRefusal(.policyInvalid, "types: \(error)")
            }
        }
        switch (policy.keyPrefix, policy.key) {
        case (nil, nil):
            break
        case (let prefix?, nil):
            try UploadGrant.checkKey(prefix, "keyPrefix")
            keyPrefix = prefix
        case (nil, let key?):
            try UploadGrant.checkKey(key, "key")
            guard maxFiles == 1 || policy.maxFiles == nil else {
                throw TokenRefusal(.policyInvalid, "an exact key names one file: set maxFiles to 1 or leave it out")
            }
            exactKey = key
            maxFiles = 1
        case (.some, .some):
            throw TokenRefusal(.policyInvalid, "set keyPrefix or key, not both")
        }
        for (name, value) in policy.metadata ?? [:] {
            guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw TokenRefusal(.policyInvalid, "metadata name \"\(name)\" must be letters, digits, - and _")
            }
            guard name.lowercased() != "sub" else { throw TokenRefusal(.policyInvalid, "metadata name \"sub\" is the token's subject, set by Sluice") }
            guard value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
                throw TokenRefusal(.policyInvalid, "metadata \"\(name)\" must be printable ASCII: S3 sends it as an HTTP header")
            }
            metadata[name.lowercased()] = value
        }
        try checkMetadataSize(configuredMetadata)
    }

    private func checkMetadataSize(_ configured: Int) throws(TokenRefusal) {
        let size = configured + metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard size <= UploadGrant.maximumMetadataBytes else {
            throw TokenRefusal(.policyInvalid, "metadata of \(size) bytes with the storage's own: S3 keeps at most \(UploadGrant.maximumMetadataBytes)")
        }
    }

    private static func checkKey(_ key: String, _ name: String) throws(TokenRefusal) {
        guard !key.isEmpty, key.utf8.count <= maximumKeyBytes, !key.hasPrefix("/"),
            !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            !key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." })
        else {
            throw TokenRefusal(.policyInvalid, "\(name) must be 1 to \(maximumKeyBytes) bytes, not start with /, and hold no control characters or . or .. segments")
        }
    }

    /// The key for a file whose route template gave `templated`.
    func key(_ templated: String) -> String {
        if let exactKey { return exactKey }
        guard let keyPrefix else { return templated }
        return String(decoding: Array((keyPrefix + templated).utf8.prefix(UploadGrant.maximumKeyBytes)), as: UTF8.self)
    }

    /// Whether files need the per-request policy filter (types or a per-file size).
    var checksFiles: Bool { types != nil || maxFileBytes != nil }

    /// `sub` as an ASCII header value: bytes outside printable ASCII, and `%`, percent-encoded.
    static func headerSafe(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}
