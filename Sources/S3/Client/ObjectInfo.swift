import NIOHTTP1

/// What S3 says about a stored object (HeadObject, GetObject): ``ObjectAttributes`` as stored,
/// and what S3 added (length, ETag, version).
public struct ObjectInfo: Sendable {
    public var contentLength: Int64
    public var contentType: String?
    public var contentDisposition: String?
    public var contentEncoding: String?
    public var cacheControl: String?
    public var etag: String?
    public var versionId: String?
    public var storageClass: String?
    public var serverSideEncryption: String?
    /// x-amz-meta-* without the prefix.
    public var metadata: [String: String]

    public init(
        contentLength: Int64, contentType: String? = nil, contentDisposition: String? = nil, contentEncoding: String? = nil,
        cacheControl: String? = nil, etag: String? = nil, versionId: String? = nil, storageClass: String? = nil,
        serverSideEncryption: String? = nil, metadata: [String: String] = [:]
    ) {
        self.contentLength = contentLength
        self.contentType = contentType
        self.contentDisposition = contentDisposition
        self.contentEncoding = contentEncoding
        self.cacheControl = cacheControl
        self.etag = etag
        self.versionId = versionId
        self.storageClass = storageClass
        self.serverSideEncryption = serverSideEncryption
        self.metadata = metadata
    }
}

extension ObjectInfo {
    init(_ headers: HTTPHeaders) {
        var metadata: [String: String] = [:]
        for (name, value) in headers where name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(name.lowercased().dropFirst("x-amz-meta-".count))] = value
        }
        self.init(
            contentLength: headers.first(name: "content-length").flatMap { Int64($0) } ?? 0,
            contentType: headers.first(name: "content-type"), contentDisposition: headers.first(name: "content-disposition"),
            contentEncoding: headers.first(name: "content-encoding"), cacheControl: headers.first(name: "cache-control"),
            etag: headers.first(name: "etag").map(S3Client.unquoted), versionId: headers.first(name: "x-amz-version-id"),
            storageClass: headers.first(name: "x-amz-storage-class"),
            serverSideEncryption: headers.first(name: "x-amz-server-side-encryption"), metadata: metadata)
    }
}
