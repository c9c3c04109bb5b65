import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport

/// An answer from the server, decoded.
struct Answer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    var json: [String: any Sendable]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: any Sendable]) ?? nil
    }

    var files: [[String: any Sendable]] { (json?["files"] as? [[String: any Sendable]]) ?? [] }
}

enum HTTP {
    static func request(_ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: ByteBuffer? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// POSTs a multipart form.
    static func post(_ url: String, form: FormBody, headers: [(String, String)] = []) async throws -> Answer {
        try await request(url, method: .POST, headers: [("Content-Type", form.contentType)] + headers, body: ByteBuffer(bytes: form.bytes))
    }
}
