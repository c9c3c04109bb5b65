/// Why the store would not hand over an upload.
public enum ResumableStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No record: never created, finished, terminated or cleaned up.
    case notFound(id: String)
    /// Another request (on this instance or another) holds the lease.
    case locked(id: String)
    /// The lease was lost (it ran out and another took it): this request must write nothing more.
    case leaseLost(id: String)
    /// A record with this id exists already.
    case exists(id: String)
    /// The record is not one this build reads.
    case unreadable(id: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let id): "upload \(id) does not exist"
        case .locked(let id): "upload \(id) is being written by another request"
        case .leaseLost(let id): "upload \(id) was taken over by another request"
        case .exists(let id): "upload \(id) exists already"
        case .unreadable(let id, let reason): "upload \(id) has a record this build cannot read: \(reason)"
        }
    }
}
