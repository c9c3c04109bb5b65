import Checksums

/// An error answer from S3 (or a store speaking its API), with what S3 said.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The API call, e.g. `UploadPart`.
    public var operation: String
    /// `bucket/key`, or the bucket.
    public var resource: String
    public var status: Int
    /// S3's error code, e.g. `SignatureDoesNotMatch`, `NoSuchUpload`.
    public var code: String
    public var message: String
    public var requestId: String?

    public init(operation: String, resource: String, status: Int, code: String, message: String, requestId: String? = nil) {
        self.operation = operation
        self.resource = resource
        self.status = status
        self.code = code
        self.message = message
        self.requestId = requestId
    }

    /// Worth another try: server errors, throttling and S3's own timeouts.
    public var isRetryable: Bool {
        status >= 500 || status == 429
            || ["SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
                "RequestThrottled", "RequestTimeTooSkewed"].contains(code)
    }

    public var description: String {
        let id = requestId.map { " (request id \($0))" } ?? ""
        return "S3 \(operation) \(resource): \(status) \(code): \(message)\(id)"
    }
}

extension S3Error {
    /// Reads S3's `<Error>` document; without one (HEAD has no body), the status speaks.
    static func from(status: Int, body: [UInt8], requestId: String?, operation: String, resource: String) -> S3Error {
        if let root = try? XMLElement.parse(body), root.name == "Error" {
            return S3Error(
                operation: operation, resource: resource, status: status, code: root["Code"] ?? "HTTP\(status)",
                message: root["Message"] ?? "", requestId: root["RequestId"] ?? requestId)
        }
        let (code, message): (String, String) =
            switch status {
            case 301, 307: ("PermanentRedirect", "the bucket is in another region or needs another endpoint")
            case 400: ("BadRequest", "bad request")
            case 403: ("AccessDenied", "access denied")
            case 404: ("NotFound", "not found")
            case 411: ("MissingContentLength", "the store wants a Content-Length")
            case 501: ("NotImplemented", "the store does not implement this request")
            case 503: ("ServiceUnavailable", "service unavailable")
            default: ("HTTP\(status)", String(decoding: body.prefix(200), as: UTF8.self))
            }
        return S3Error(operation: operation, resource: resource, status: status, code: code, message: message, requestId: requestId)
    }
}

/// A request that never got an answer (connection refused or reset, timeout) after every try.
public struct S3ConnectionError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var resource: String
    public var attempts: Int
    public var reason: String
    public var description: String { "S3 \(operation) \(resource): no answer after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)" }
}
