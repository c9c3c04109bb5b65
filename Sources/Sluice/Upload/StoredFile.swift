import Filters

/// One file of a successful upload, as the 201 answer lists it.
struct StoredFile: Sendable {
    var report: UploadReport
    var object: StoredObject

    var json: JSON {
        let upload = report.upload
        var members: [(String, JSON)] = [
            ("field", .string(upload.field)),
            ("filename", .string(upload.filename)),
            ("key", .string(object.key)),
            ("bucket", .string(object.bucket)),
            ("size", .int(object.size)),
            ("bytesReceived", .int(upload.bytesIn)),
            ("contentType", .string(upload.contentType)),
            ("declaredType", .string(upload.declaredType)),
            ("sniffedType", .string(upload.sniffedType)),
            ("disposition", .string(upload.disposition?.rawValue)),
            ("contentDisposition", .string(upload.contentDisposition)),
            ("contentEncoding", .string(upload.contentEncoding)),
            ("etag", .string(object.etag)),
            ("versionId", .string(object.versionId)),
            ("parts", .int(Int64(object.parts))),
            ("digests", .object(upload.digests.map { ($0.algorithm, .string($0.hex)) })),
        ]
        if let attributes = upload.attributesJSON { members.append(("attributes", attributes)) }
        return .object(members)
    }
}
