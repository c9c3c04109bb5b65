import Filters

/// An error answer: `{"code", "error", "message", "filter"?, "file"?}`. `code` repeats the
/// HTTP status, as the tutorial's browser code expects (`/200|201/.test(json.code)`).
struct APIError: Error, Sendable, CustomStringConvertible {
    var status: Int
    /// Machine-readable, e.g. `malformed_multipart`, `type_mismatch`.
    var error: String
    var message: String
    /// The filter that refused, for rejections.
    var filter: String?
    /// The client's filename the error is about, if any.
    var file: String?
    /// Seconds after which a retry may succeed (the `Retry-After` header), for refusals under load.
    var retryAfter: Int?

    var json: JSON {
        var members: [(String, JSON)] = [("code", .int(Int64(status))), ("error", .string(error)), ("message", .string(message))]
        if let filter { members.append(("filter", .string(filter))) }
        if let file { members.append(("file", .string(file))) }
        return .object(members)
    }

    var description: String { "\(status) \(error): \(message)" }

    static func malformed(_ message: String) -> APIError { APIError(status: 400, error: "malformed_multipart", message: message) }
    static func tooLarge(_ error: String, _ message: String) -> APIError { APIError(status: 413, error: error, message: message) }
    static let notFound = APIError(status: 404, error: "not_found", message: "no such endpoint")

    /// RFC 9110's answer to a body in a content coding the server does not take.
    static func encodedBody(_ coding: String) -> APIError {
        APIError(status: 415, error: "unsupported_content_encoding", message: "the request body is Content-Encoding: \(coding); send it as it is (identity)")
    }

    static func overloaded(_ message: String, retryAfter: Int) -> APIError {
        APIError(status: 503, error: "overloaded", message: message, retryAfter: retryAfter)
    }

    static func rejected(_ rejection: Rejection, file: String?) -> APIError {
        APIError(status: rejection.status, error: rejection.code, message: rejection.message, filter: rejection.filter, file: file)
    }
}
