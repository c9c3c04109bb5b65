import Foundation

/// The `sluice` claim: what one token allows. It can only narrow its route; a policy that
/// would widen it is refused (``UploadGrant/init(route:policy:subject:)``).
struct UploadPolicy: Codable, Sendable, Equatable {
    /// The route's path; when set, the token is good for that route only.
    var route: String?
    /// Prepended to the key the route's template makes, e.g. `users/42/`.
    var keyPrefix: String?
    /// The exact key of the one file this token may upload.
    var key: String?
    var maxFileBytes: Int64?
    var maxRequestBytes: Int64?
    var maxFiles: Int?
    /// Media type patterns the sniffed type must match, e.g. `["image/png", "image/*"]`.
    var types: [String]?
    /// Stored with each object as `x-amz-meta-<name>`.
    var metadata: [String: String]?
    /// Names the policy had that Sluice does not know: refused, so that a typo cannot widen.
    var unknownKeys: [String] = []

    enum CodingKeys: String, CodingKey, CaseIterable {
        case route, keyPrefix, key, maxFileBytes, maxRequestBytes, maxFiles, types, metadata
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        route = try container.decodeIfPresent(String.self, forKey: .route)
        keyPrefix = try container.decodeIfPresent(String.self, forKey: .keyPrefix)
        key = try container.decodeIfPresent(String.self, forKey: .key)
        maxFileBytes = try container.decodeIfPresent(Int64.self, forKey: .maxFileBytes)
        maxRequestBytes = try container.decodeIfPresent(Int64.self, forKey: .maxRequestBytes)
        maxFiles = try container.decodeIfPresent(Int.self, forKey: .maxFiles)
        types = try container.decodeIfPresent([String].self, forKey: .types)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        unknownKeys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
    }

    init() {}

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
