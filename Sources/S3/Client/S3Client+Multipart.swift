import Checksums
import NIOCore

extension S3Client {
    /// A part S3 accepted, as CompleteMultipartUpload must list it.
    public struct CompletedPart: Sendable, Equatable {
        public var number: Int
        /// As S3 sent it, quotes included.
        public var etag: String
        /// Base64, when the upload uses an x-amz-checksum algorithm.
        public var checksum: String?
        /// False when S3 encrypted the part with a KMS key or one the client gave (SSE-KMS,
        /// SSE-C): its ETag is then something other than its MD5.
        public var etagIsMD5: Bool

        public init(number: Int, etag: String, checksum: String? = nil, etagIsMD5: Bool = true) {
            self.number = number
            self.etag = etag
            self.checksum = checksum
            self.etagIsMD5 = etagIsMD5
        }
    }

    /// A multipart upload that was started and not finished.
    public struct MultipartUploadSummary: Sendable, Equatable {
        public var key: String
        public var uploadId: String
    }

    /// CreateMultipartUpload; returns the upload id.
    public func createMultipartUpload(bucket: String, key: String, attributes: ObjectAttributes, checksum: S3Checksum) async throws -> String {
        var headers = attributes.headers
        if let algorithm = checksum.algorithmName { headers.append(("x-amz-checksum-algorithm", algorithm)) }
        let response = try await send(
            Request(operation: "CreateMultipartUpload", method: .POST, bucket: bucket, key: key, query: [("uploads", nil)], headers: headers))
        guard let uploadId = try response.xml()["UploadId"], !uploadId.isEmpty else {
            throw S3Error(operation: "CreateMultipartUpload", resource: "\(bucket)/\(key)", status: response.status, code: "MalformedResponse", message: "no UploadId in the answer")
        }
        return uploadId
    }

    /// UploadPart, with the part's checksum (`digest`: its value, when the caller took it
    /// already; otherwise it is computed over `body`).
    public func uploadPart(
        bucket: String, key: String, uploadId: String, number: Int, body: ByteBuffer, checksum: S3Checksum, digest: [UInt8]? = nil
    ) async throws -> CompletedPart {
        let header = checksum.header(for: body, computed: digest)
        let response = try await send(
            Request(
                operation: "UploadPart", method: .PUT, bucket: bucket, key: key,
                query: [("partNumber", String(number)), ("uploadId", uploadId)], headers: header.map { [$0] } ?? [], body: body))
        guard let etag = response.headers.first(name: "etag") else {
            throw S3Error(operation: "UploadPart", resource: "\(bucket)/\(key)", status: response.status, code: "MalformedResponse", message: "no ETag for part \(number)")
        }
        let encryptedWithKey = response.headers.first(name: "x-amz-server-side-encryption")?.hasPrefix("aws:kms") == true
            || response.headers.first(name: "x-amz-server-side-encryption-customer-algorithm") != nil
        return CompletedPart(
            number: number, etag: etag, checksum: checksum.algorithmName == nil ? nil : header?.value, etagIsMD5: !encryptedWithKey)
    }

    /// CompleteMultipartUpload with the parts in ascending order.
    public func completeMultipartUpload(bucket: String, key: String, uploadId: String, parts: [CompletedPart], checksum: S3Checksum) async throws -> PutResult {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(xmlEscaped(part.etag))</ETag>"
            if let element = checksum.completeElement, let value = part.checksum { xml += "<\(element)>\(value)</\(element)>" }
            xml += "</Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response: Response
        do {
            response = try await send(
                Request(
                    operation: "CompleteMultipartUpload", method: .POST, bucket: bucket, key: key, query: [("uploadId", uploadId)],
                    headers: [("content-type", "application/xml")], body: ByteBuffer(string: xml)))
        } catch let error as S3Error where error.code == "NoSuchUpload" {
            // Some stores forget a completed upload at once: a retry after a lost answer (or
            // another instance finishing what this one completed) then finds it gone.
            if let stored = await objectAssembled(from: parts, bucket: bucket, key: key) { return stored }
            throw error
        }
        let etag = try response.xml()["ETag"] ?? response.headers.first(name: "etag")
        return PutResult(etag: etag.map(S3Client.unquoted), versionId: response.headers.first(name: "x-amz-version-id"))
    }

    /// The object under `key`, when it is the one these parts make (its ETag says so).
    private func objectAssembled(from parts: [CompletedPart], bucket: String, key: String) async -> PutResult? {
        guard let stored = try? await headObject(bucket: bucket, key: key), MultipartETag.matches(stored.etag, parts: parts) else { return nil }
        return PutResult(etag: stored.etag, versionId: stored.versionId)
    }

    public func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws {
        _ = try await send(Request(operation: "AbortMultipartUpload", method: .DELETE, bucket: bucket, key: key, query: [("uploadId", uploadId)]))
    }

    /// Every unfinished multipart upload under `prefix`, across pages.
    public func listMultipartUploads(bucket: String, prefix: String? = nil) async throws -> [MultipartUploadSummary] {
        var uploads: [MultipartUploadSummary] = []
        var markers: (key: String, uploadId: String)?
        repeat {
            var query: [(name: String, value: String?)] = [("uploads", nil)]
            if let prefix { query.append(("prefix", prefix)) }
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.uploadId)] }
            let root = try await send(Request(operation: "ListMultipartUploads", method: .GET, bucket: bucket, key: nil, query: query)).xml()
            for upload in root.children("Upload") {
                if let key = upload["Key"], let id = upload["UploadId"] { uploads.append(MultipartUploadSummary(key: key, uploadId: id)) }
            }
            markers = nil
            if root["IsTruncated"] == "true", let key = root["NextKeyMarker"], let id = root["NextUploadIdMarker"] { markers = (key, id) }
        } while markers != nil
        return uploads
    }
}
