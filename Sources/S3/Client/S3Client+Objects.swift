import Checksums
import NIOCore
import NIOHTTP1

extension S3Client {
    /// What a finished upload gave back.
    public struct PutResult: Sendable, Equatable {
        /// Without the quotes S3 puts around it.
        public var etag: String?
        public var versionId: String?

        public init(etag: String?, versionId: String? = nil) {
            self.etag = etag
            self.versionId = versionId
        }
    }

    /// PutObject: the whole object in one request, with its checksum (`digest`: its value, when
    /// the caller took it already; otherwise it is computed over `body`), only if `condition`
    /// holds when given (a failed one throws an ``S3Error`` whose `isConditionFailed`).
    public func putObject(
        bucket: String, key: String, body: ByteBuffer, attributes: ObjectAttributes, checksum: S3Checksum, digest: [UInt8]? = nil,
        condition: WriteCondition? = nil
    ) async throws -> PutResult {
        var headers = attributes.headers
        if let header = checksum.header(for: body, computed: digest) { headers.append(header) }
        if let condition { headers.append(condition.header) }
        let response = try await send(Request(operation: "PutObject", method: .PUT, bucket: bucket, key: key, headers: headers, body: body))
        return PutResult(etag: response.headers.first(name: "etag").map(S3Client.unquoted), versionId: response.headers.first(name: "x-amz-version-id"))
    }

    public func headObject(bucket: String, key: String) async throws -> ObjectInfo {
        let response = try await send(Request(operation: "HeadObject", method: .HEAD, bucket: bucket, key: key))
        return ObjectInfo(response.headers)
    }

    /// GetObject, handing the body to `consume` chunk by chunk.
    @discardableResult
    public func getObject(bucket: String, key: String, consume: (ByteBuffer) async throws -> Void) async throws -> ObjectInfo {
        let headers = try await stream(Request(operation: "GetObject", method: .GET, bucket: bucket, key: key), consume: consume)
        return ObjectInfo(headers)
    }

    /// GetObject of a small object, whole: throws if it is over `limit` bytes.
    public func getObject(bucket: String, key: String, limit: Int) async throws -> (body: ByteBuffer, info: ObjectInfo) {
        var body = ByteBuffer()
        let info = try await getObject(bucket: bucket, key: key) { chunk in
            guard body.readableBytes + chunk.readableBytes <= limit else {
                throw S3Error(operation: "GetObject", resource: "\(bucket)/\(key)", status: 200, code: "ObjectTooLarge", message: "over \(limit) bytes")
            }
            var chunk = chunk
            body.writeBuffer(&chunk)
        }
        return (body, info)
    }

    public func deleteObject(bucket: String, key: String, versionId: String? = nil) async throws {
        let query: [(name: String, value: String?)] = versionId.map { [("versionId", $0)] } ?? []
        _ = try await send(Request(operation: "DeleteObject", method: .DELETE, bucket: bucket, key: key, query: query))
    }

    /// HeadBucket: checks that the bucket exists and the credentials may use it.
    public func headBucket(_ bucket: String) async throws {
        _ = try await send(Request(operation: "HeadBucket", method: .HEAD, bucket: bucket, key: nil))
    }

    static func unquoted(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }
}

extension S3Client {
    /// ListObjectsV2: every key under `prefix`, across pages.
    public func listObjects(bucket: String, prefix: String? = nil) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query: [(name: String, value: String?)] = [("list-type", "2")]
            if let prefix { query.append(("prefix", prefix)) }
            if let token { query.append(("continuation-token", token)) }
            let root = try await send(Request(operation: "ListObjectsV2", method: .GET, bucket: bucket, key: nil, query: query)).xml()
            keys += root.children("Contents").compactMap { $0["Key"] }
            token = root["IsTruncated"] == "true" ? root["NextContinuationToken"] : nil
        } while token != nil
        return keys
    }
}
