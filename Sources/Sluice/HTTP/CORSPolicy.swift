import Filters
import HTTPTypes

/// Which other origins may use the server from a browser (`server.cors`). A preflight passes
/// only when its origin, method and headers are all allowed; every actual response to an
/// allowed origin, errors included, carries Access-Control-Allow-Origin so the page can read it.
struct CORSPolicy: Sendable {
    let config: CORSConfig?
    /// The methods the server's routes take.
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put]
    /// Request headers a browser never lists in a preflight.
    static let safelisted: Set<String> = ["accept", "accept-language", "content-language", "content-type", "range"]

    /// The Access-Control-Allow-Origin value for `origin`, or nil when it is not allowed.
    func allowOrigin(_ origin: String?) -> String? {
        guard let config, let origin else { return nil }
        guard let origins = config.allowOrigins else { return config.allowCredentials ? origin : "*" }
        return origins.contains(origin.lowercased()) ? origin : nil
    }

    /// Headers for an actual (non-preflight) response; `exposing` adds headers of this one
    /// the page may read.
    func responseHeaders(origin: String?, exposing: [String] = []) -> HTTPFields {
        var fields = HTTPFields()
        guard let config, let allowed = allowOrigin(origin) else { return fields }
        fields[.accessControlAllowOrigin] = allowed
        if allowed != "*" { fields[.vary] = "Origin" }
        if config.allowCredentials { fields[.accessControlAllowCredentials] = "true" }
        fields[.accessControlExposeHeaders] = (["x-request-id"] + exposing + config.exposeHeaders).joined(separator: ", ")
        return fields
    }

    /// The answer to an OPTIONS request. A tus endpoint's preflight also allows PATCH and
    /// DELETE, and tus's request headers.
    func preflight(_ request: HTTPRequest, tus: Bool = false) -> Reply {
        let methods = CORSPolicy.methods.map(\.rawValue) + (tus ? ["PATCH", "DELETE"] : [])
        let origin = request.headerFields[.origin]
        guard let requestedMethod = request.headerFields[.accessControlRequestMethod], let origin else {
            // Not a preflight: say what the server takes.
            var reply = Reply(status: .noContent)
            reply.headers[.allow] = CORSPolicy.methods.map(\.rawValue).joined(separator: ", ") + ", OPTIONS"
            return reply
        }
        guard let config else {
            return .error(APIError(status: 403, error: "cors_forbidden", message: "cross-origin requests are not enabled on this server (server.cors)"))
        }
        guard let allowed = allowOrigin(origin) else {
            return .error(APIError(status: 403, error: "cors_forbidden", message: "the origin \(origin) is not allowed"))
        }
        guard methods.contains(requestedMethod.uppercased()) else {
            return .error(APIError(status: 403, error: "cors_forbidden", message: "the method \(requestedMethod) is not allowed"))
        }
        let requested = (request.headerFields[.accessControlRequestHeaders] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        let allowHeaders = config.allowHeaders + (tus ? Tus.requestHeaders : [])
        if let refused = requested.first(where: { !allowHeaders.contains($0) && !CORSPolicy.safelisted.contains($0) }) {
            return .error(APIError(status: 403, error: "cors_forbidden", message: "the request header \(refused) is not allowed"))
        }
        var reply = Reply(status: .noContent)
        reply.headers[.accessControlAllowOrigin] = allowed
        if allowed != "*" { reply.headers[.vary] = "Origin" }
        reply.headers[.accessControlAllowMethods] = methods.joined(separator: ", ")
        if !requested.isEmpty { reply.headers[.accessControlAllowHeaders] = requested.joined(separator: ", ") }
        if let maxAge = config.maxAge { reply.headers[.accessControlMaxAge] = String(maxAge) }
        if config.allowCredentials { reply.headers[.accessControlAllowCredentials] = "true" }
        return reply
    }
}
