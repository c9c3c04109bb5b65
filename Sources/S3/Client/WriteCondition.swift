/// A condition S3 checks atomically with a write (conditional writes): the write happens only
/// if it holds, else S3 answers 412 PreconditionFailed (409 ConditionalRequestConflict while
/// another conditional write of the key is in flight). A lease on a shared record rests on it.
public enum WriteCondition: Sendable, Equatable {
    /// Only if no object has the key (`If-None-Match: *`).
    case absent
    /// Only if the object is still the one with this ETag (`If-Match`).
    case matches(etag: String)

    var header: (name: String, value: String) {
        switch self {
        case .absent: ("If-None-Match", "*")
        case .matches(let etag): ("If-Match", "\"\(etag)\"")
        }
    }
}

extension S3Error {
    /// The write's condition did not hold: someone else wrote first.
    public var isConditionFailed: Bool {
        status == 412 || code == "PreconditionFailed" || code == "ConditionalRequestConflict"
    }
}
