import Checksums
import Crypto

/// The ETag S3 gives an object assembled from parts: the hex MD5 of the parts' MD5s, a dash and
/// the number of parts. Known only when every part's ETag is its MD5 (not under SSE-KMS or SSE-C).
public enum MultipartETag {
    /// The object's ETag, from its parts' ETags (quoted or not) in any order; nil when a part's
    /// ETag is not its MD5.
    public static func of(_ parts: [S3Client.CompletedPart]) -> String? {
        var digest = Insecure.MD5()
        for part in parts.sorted(by: { $0.number < $1.number }) {
            guard part.etagIsMD5, let md5 = [UInt8](hex: S3Client.unquoted(part.etag)), md5.count == 16 else { return nil }
            digest.update(data: md5)
        }
        return Array(digest.finalize()).hex + "-\(parts.count)"
    }

    /// Whether an object with `etag` (as HeadObject gives it) is the one `parts` make.
    public static func matches(_ etag: String?, parts: [S3Client.CompletedPart]) -> Bool {
        guard let etag, let expected = of(parts) else { return false }
        return S3Client.unquoted(etag).lowercased() == expected
    }

    /// Whether an object with `etag` was assembled from parts (whatever its parts were): S3 then
    /// ends its ETag with a dash and their number, as no single PutObject's ETag ends.
    public static func isOfAssembledObject(_ etag: String?) -> Bool {
        guard let etag else { return false }
        let bare = S3Client.unquoted(etag)
        guard let dash = bare.lastIndex(of: "-") else { return false }
        let count = bare[bare.index(after: dash)...]
        return !count.isEmpty && count.allSatisfy { ("0"..."9").contains($0) }
    }
}
