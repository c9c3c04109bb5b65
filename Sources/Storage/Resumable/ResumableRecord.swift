import Foundation

/// One resumable upload as kept in S3 beside its multipart upload (`<prefix><id>.info`): what
/// the client declared, how far it got, where its bytes are, the chain's suspended state, and
/// who may write it now. Any instance can take the next request from it.
public struct ResumableRecord: Sendable, Equatable, Codable {
    /// The record's layout; bumped when it changes.
    public var format = 1
    public var id: String
    /// The key the finished object gets.
    public var key: String
    /// The whole length, or nil while the client defers it.
    public var length: Int64?
    /// Bytes received and kept (in parts, in the pending object and in the chain's state).
    public var offset: Int64 = 0
    /// The client's `Upload-Metadata`, decoded.
    public var metadata: [String: String] = [:]
    /// Every part but the last is this size.
    public var partSize: Int
    /// The S3 multipart upload, once the first part was sent.
    public var multipartUploadId: String?
    public var parts: [Part] = []
    /// Bytes past the last whole part, kept in `<prefix><id>.part`.
    public var pendingBytes: Int = 0
    /// The chain's `SuspendedRun`, base64.
    public var chainState: String?
    public var created: Date
    public var expires: Date
    public var lease: Lease?
    /// SHA-256 (hex) of the upload token that created it: its later requests must bring the same.
    public var boundToken: String?

    public struct Part: Sendable, Equatable, Codable {
        public var number: Int
        public var etag: String
        public var checksum: String?
        /// False under SSE-KMS and SSE-C (see `S3Client.CompletedPart`).
        public var etagIsMD5: Bool

        public init(number: Int, etag: String, checksum: String?, etagIsMD5: Bool = true) {
            self.number = number
            self.etag = etag
            self.checksum = checksum
            self.etagIsMD5 = etagIsMD5
        }

        private enum CodingKeys: String, CodingKey { case number, etag, checksum, etagIsMD5 }

        // Records stored before `etagIsMD5` was have none: their parts were taken for MD5s.
        public init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                number: try values.decode(Int.self, forKey: .number), etag: try values.decode(String.self, forKey: .etag),
                checksum: try values.decodeIfPresent(String.self, forKey: .checksum),
                etagIsMD5: try values.decodeIfPresent(Bool.self, forKey: .etagIsMD5) ?? true)
        }
    }

    /// The one instance that may write the upload until `until`.
    public struct Lease: Sendable, Equatable, Codable {
        public var owner: String
        public var until: Date

        public init(owner: String, until: Date) {
            self.owner = owner
            self.until = until.wholeMilliseconds
        }
    }

    public init(id: String, key: String, length: Int64?, metadata: [String: String], partSize: Int, created: Date, expires: Date) {
        self.id = id
        self.key = key
        self.length = length
        self.metadata = metadata
        self.partSize = partSize
        self.created = created.wholeMilliseconds
        self.expires = expires.wholeMilliseconds
    }
}

extension Date {
    /// What the record keeps of a time (milliseconds since 1970), so that it reads back equal.
    var wholeMilliseconds: Date { Date(timeIntervalSince1970: Double(Int64((timeIntervalSince1970 * 1000).rounded(.down))) / 1000) }
}
