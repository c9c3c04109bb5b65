import Checksums
import Foundation
import NIOCore
import S3
import Storage

/// Single-use tokens' ids remembered in the storage bucket, so that every instance refuses a
/// token another one accepted: each id is a marker object written only if absent (a
/// conditional PutObject, as the resumable uploads' leases are). A bucket lifecycle rule on
/// ``prefix`` removes the markers (README); until then an id is not accepted again.
struct BucketReplayLedger: ReplayLedger {
    let s3: any S3API
    let bucket: String
    let prefix: String

    static let defaultPrefix = ".sluice-tokens/"

    func use(_ id: String, expires: Date, now: Date) async -> ReplayVerdict {
        // Hashed: a jti is any string, a key is not.
        let key = prefix + Array(id.utf8).withUnsafeBytes { DigestAlgorithm.sha256.digest($0) }.hex
        let body = ByteBuffer(string: "{\"expires\":\(Int(expires.timeIntervalSince1970))}")
        do {
            _ = try await s3.putObject(
                bucket: bucket, key: key, body: body, attributes: ObjectAttributes(contentType: "application/json"), checksum: .none, digest: nil,
                condition: .absent)
            return .first
        } catch let error as S3Error where error.isConditionFailed {
            return .replayed
        } catch {
            return .unavailable("\(error)")
        }
    }
}
