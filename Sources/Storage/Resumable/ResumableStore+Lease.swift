import Filters
import Foundation
import S3

extension ResumableStore {
    /// Takes the upload for `owner` until `now + duration`: the record as it is, with the lease
    /// written into it. Throws ``ResumableStoreError/locked(id:)`` while another owner's lease
    /// runs, and when another instance takes it at the same moment (the conditional write
    /// decides: exactly one wins).
    public func acquire(_ id: String, owner: String, for duration: Duration, now: Date = Date()) async throws -> Versioned {
        let current = try await read(id)
        if let lease = current.record.lease, lease.owner != owner, lease.until > now {
            throw ResumableStoreError.locked(id: id)
        }
        var record = current.record
        record.lease = ResumableRecord.Lease(owner: owner, until: now.addingTimeInterval(duration.inSeconds))
        return try await write(record, over: current.etag, owner: owner, lost: .locked(id: id))
    }

    /// Writes `record` (still leased by `owner`, or released when its lease is nil) over the
    /// version this owner wrote last. Throws ``ResumableStoreError/leaseLost(id:)`` if someone
    /// else wrote in between.
    public func update(_ record: ResumableRecord, over etag: String, owner: String) async throws -> Versioned {
        try await write(record, over: etag, owner: owner, lost: .leaseLost(id: record.id))
    }

    /// A conditional write; on a failed condition, reads again: a write retried after a lost
    /// answer finds its own first attempt there, which is a success.
    private func write(_ record: ResumableRecord, over etag: String, owner: String, lost: ResumableStoreError) async throws -> Versioned {
        do {
            return Versioned(record: record, etag: try await replace(record, over: etag))
        } catch let error as S3Error where error.isConditionFailed {
            let now = try await read(record.id)
            if now.record == record, record.lease?.owner == owner { return now }
            throw lost
        }
    }
}
