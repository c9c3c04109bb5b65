import Foundation

extension ResumableStore {
    /// Removes every upload past its expiry that no live lease holds (a request writing it
    /// now finishes first), and returns their ids. Records that cannot be read are left to
    /// the bucket's lifecycle rule.
    public func removeExpired(bucket objectsBucket: String, now: Date = Date()) async throws -> [String] {
        var removed: [String] = []
        for key in try await s3.listObjects(bucket: bucket, prefix: prefix) where key.hasSuffix(".info") {
            let id = String(key.dropFirst(prefix.count).dropLast(".info".count))
            guard let record = try? await read(id).record, record.expires <= now else { continue }
            if let lease = record.lease, lease.until > now { continue }
            await remove(record, bucket: objectsBucket)
            removed.append(id)
        }
        return removed
    }
}
