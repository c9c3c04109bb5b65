import Filters
import S3

/// `storage: {type: s3, ...}`: where and how uploads are stored in S3.
public struct S3UploadSettings: Sendable {
    public var bucket: String
    /// nil: from the environment or ~/.aws/config (required for AWS, us-east-1 for custom endpoints).
    public var region: String?
    /// A custom endpoint (MinIO, R2, moto, ...); nil: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL.
    public var endpoint: String?
    /// Path-style addressing; nil: on for a custom endpoint, off for AWS.
    public var pathStyle: Bool?
    public var partSize = 8 << 20
    /// Parts in flight per upload.
    public var concurrency = 4
    public var checksum = S3Checksum.crc32
    public var cacheControl: String?
    public var storageClass: String?
    public var serverSideEncryption: String?
    public var kmsKeyId: String?
    public var metadata: [(name: String, value: String)] = []
    /// From the config file (discouraged).
    public var credentials: S3Credentials?
    public var signPayload = false
    public var maxAttempts = 3
    /// The longest S3 may stay silent while a request is sent or answered.
    public var timeout: Duration = .seconds(60)
    /// S3's part limit; lower only in tests, to reach it without 50 GB.
    var maximumParts = PartSizing.maximumParts

    public init(bucket: String) {
        self.bucket = bucket
    }
}
