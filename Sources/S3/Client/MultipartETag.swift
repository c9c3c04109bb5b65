import Checksums
import Crypto

/// The ETag S3 gives an object assembled from parts: the hex MD5 of the parts' MD5s, a dash and
/// the number of parts. Known only when every part's ETag is its MD5 (not under SSE-KMS or SSE-C).
public enum MultipartETag {
    /// The object's ETag, from its parts' ETags (quoted or not) in any order.
    public static func of(_ parts: [S3Client.CompletedPart]) -> String? {
        var digest = Insecure.MD5()
        for part in parts.sorted(by: { $0.number < $1.number }) {
            guard let md5 = md5Bytes(S3Client.unquoted(part.etag)) else { return nil }
            digest.update(data: md5)
        }
        return Array(digest.finalize()).hex + "-\(parts.count)"
    }

    /// The 16 bytes that a part's ETag writes in hex; nil for anything else.
    private static func md5Bytes(_ etag: String) -> [UInt8]? {
        let digits = Array(etag.utf8)
        guard digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for index in stride(from: 0, to: 32, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
