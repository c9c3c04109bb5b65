/// Where a chain's output goes. A sink pulls the filtered bytes itself (see ``ChainOutput``),
/// so it sets the pace: while it does not pull, nothing is read from the client.
public protocol Sink: Sendable {
    /// Stores one upload under `key`: pulls `body` to its end and reports what was stored.
    /// When it throws (a filter's rejection, a storage failure, cancellation), nothing of this
    /// upload may remain stored.
    func store(_ body: inout ChainOutput, key: String) async throws -> StoredObject

    /// Deletes an object this sink stored, e.g. when a later file of the same request failed.
    func remove(_ object: StoredObject) async throws
}

/// What a sink stored.
public struct StoredObject: Sendable, Equatable {
    public var key: String
    /// The bucket (S3), or nil.
    public var bucket: String?
    /// The ETag the store gave it, or nil.
    public var etag: String?
    public var versionId: String?
    /// Bytes stored.
    public var size: Int64
    /// 1 for a single request; the part count of a multipart upload.
    public var parts: Int

    public init(key: String, bucket: String? = nil, etag: String? = nil, versionId: String? = nil, size: Int64, parts: Int = 1) {
        self.key = key
        self.bucket = bucket
        self.etag = etag
        self.versionId = versionId
        self.size = size
        self.parts = parts
    }
}
