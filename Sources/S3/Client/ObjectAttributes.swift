import Checksums

/// What an object is created with besides its bytes (PutObject, CreateMultipartUpload): the
/// headers the chain decided and those the storage config adds. ``ObjectInfo`` is what S3 says
/// back about a stored object.
public struct ObjectAttributes: Sendable, Equatable {
    public var contentType: String?
    public var contentDisposition: String?
    public var contentEncoding: String?
    public var cacheControl: String?
    public var storageClass: String?
    /// `AES256` or `aws:kms`.
    public var serverSideEncryption: String?
    public var kmsKeyId: String?
    /// x-amz-meta-* (names without the prefix), ASCII.
    public var metadata: [(name: String, value: String)]

    public init(
        contentType: String? = nil, contentDisposition: String? = nil, contentEncoding: String? = nil, cacheControl: String? = nil,
        storageClass: String? = nil, serverSideEncryption: String? = nil, kmsKeyId: String? = nil, metadata: [(name: String, value: String)] = []
    ) {
        self.contentType = contentType
        self.contentDisposition = contentDisposition
        self.contentEncoding = contentEncoding
        self.cacheControl = cacheControl
        self.storageClass = storageClass
        self.serverSideEncryption = serverSideEncryption
        self.kmsKeyId = kmsKeyId
        self.metadata = metadata
    }

    var headers: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        if let contentType { out.append(("content-type", contentType)) }
        if let contentDisposition { out.append(("content-disposition", contentDisposition)) }
        if let contentEncoding { out.append(("content-encoding", contentEncoding)) }
        if let cacheControl { out.append(("cache-control", cacheControl)) }
        if let storageClass { out.append(("x-amz-storage-class", storageClass)) }
        if let serverSideEncryption { out.append(("x-amz-server-side-encryption", serverSideEncryption)) }
        if let kmsKeyId { out.append(("x-amz-server-side-encryption-aws-kms-key-id", kmsKeyId)) }
        for (name, value) in metadata { out.append(("x-amz-meta-\(name.lowercased())", value)) }
        return out
    }

    public static func == (a: ObjectAttributes, b: ObjectAttributes) -> Bool {
        a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}
