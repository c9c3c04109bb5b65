import Foundation

/// tus's `Upload-Metadata`: comma-separated `key base64(value)` pairs (the value may be left out).
enum UploadMetadata {
    /// The header's longest accepted length.
    static let maximumBytes = 4096

    /// The pairs, decoded; values that are not UTF-8 are refused, since they end up as a name
    /// or a type.
    static func parse(_ header: String?) throws(APIError) -> [String: String] {
        guard let header, !header.trimmingCharacters(in: .whitespaces).isEmpty else { return [:] }
        guard header.utf8.count <= maximumBytes else {
            throw APIError(status: 400, error: "bad_metadata", message: "Upload-Metadata is \(header.utf8.count) bytes; at most \(maximumBytes)")
        }
        var pairs: [String: String] = [:]
        for item in header.split(separator: ",") {
            let fields = item.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            guard let key = fields.first, fields.count <= 2, key.allSatisfy({ $0.isASCII && $0 != " " }) else {
                throw APIError(status: 400, error: "bad_metadata", message: "Upload-Metadata has \"\(item)\", not a key and a base64 value")
            }
            var value = ""
            if fields.count == 2 {
                guard let bytes = Data(base64Encoded: String(fields[1])), let text = String(data: bytes, encoding: .utf8) else {
                    throw APIError(status: 400, error: "bad_metadata", message: "Upload-Metadata's \(key) is not base64 of UTF-8 text")
                }
                value = text
            }
            guard pairs.updateValue(value, forKey: String(key)) == nil else {
                throw APIError(status: 400, error: "bad_metadata", message: "Upload-Metadata has \(key) twice")
            }
        }
        return pairs
    }
}
