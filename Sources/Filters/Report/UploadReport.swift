/// What happened to one upload, in the shape filterctl's `--json` and the server's responses
/// share.
public struct UploadReport: Sendable {
    public var chain: String
    public var upload: Upload
    /// nil when the upload was accepted.
    public var rejection: Rejection?

    public init(chain: String, upload: Upload, rejection: Rejection?) {
        self.chain = chain
        self.upload = upload
        self.rejection = rejection
    }

    public var accepted: Bool { rejection == nil }

    /// The decided headers; nil for a rejected upload, since nothing is stored.
    public var head: ObjectHead? { accepted ? upload.head : nil }

    /// `rejection, declaredType, sniffedType, contentType, disposition, contentDisposition,
    /// contentEncoding, bytesIn, bytesOut, digests`, and `attributes` when a filter set any.
    public var members: [(String, JSON)] {
        var members: [(String, JSON)] = [
            ("accepted", .bool(accepted)),
            ("rejection", rejection.map(\.json) ?? .null),
            ("declaredType", .string(upload.declaredType)),
            ("sniffedType", .string(upload.sniffedType)),
            ("contentType", .string(head?.contentType)),
            ("disposition", .string(accepted ? upload.disposition?.rawValue : nil)),
            ("contentDisposition", .string(head?.contentDisposition)),
            ("contentEncoding", .string(head?.contentEncoding)),
            ("bytesIn", .int(upload.bytesIn)),
            ("bytesOut", .int(upload.bytesOut)),
            ("digests", .object(upload.digests.map { ($0.algorithm, .string($0.hex)) })),
        ]
        if let attributes = upload.attributesJSON { members.append(("attributes", attributes)) }
        return members
    }
}

extension Rejection {
    /// `{filter, code, status, message}`.
    public var json: JSON {
        .object([("filter", .string(filter)), ("code", .string(code)), ("status", .int(Int64(status))), ("message", .string(message))])
    }
}
