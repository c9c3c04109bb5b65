import Filters
import HTTPTypes
import HummingbirdCore
import NIOCore

/// A response to write: status, headers and a body in memory.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields = [:]
    var body: ByteBuffer = ByteBuffer()
    /// Close the connection after this response (the request body may be unread).
    var closeConnection = false
    /// Headers of this reply a page from another origin may read (tus's, for one).
    var exposedHeaders: [String] = []

    static func json(_ status: Int, _ json: JSON) -> Reply {
        var reply = Reply(status: .init(code: status), body: ByteBuffer(string: json.text + "\n"))
        reply.headers[.contentType] = "application/json; charset=utf-8"
        return reply
    }

    static func error(_ error: APIError) -> Reply {
        var reply = Reply.json(error.status, error.json)
        if let seconds = error.retryAfter { reply.headers[.retryAfter] = String(seconds) }
        return reply
    }

    static func text(_ status: Int, _ text: String, contentType: String) -> Reply {
        var reply = Reply(status: .init(code: status), body: ByteBuffer(string: text))
        reply.headers[.contentType] = contentType
        return reply
    }

    /// The HTTP head, with Content-Length and Connection filled in.
    var head: HTTPResponse {
        var fields = headers
        fields[.contentLength] = String(body.readableBytes)
        if closeConnection { fields[.connection] = "close" }
        // Uploads and errors are not for caches.
        if fields[.cacheControl] == nil { fields[.cacheControl] = "no-store" }
        return HTTPResponse(status: status, headerFields: fields)
    }
}
