import Filters
import Foundation
import HTTPTypes
import NIOCore

/// GET / (the upload page, with the routes filled in) and GET /sluice.js (the client).
struct UploadPage: Sendable {
    let html: Reply
    let script: Reply

    init(routes: [UploadRoute]) {
        let list = JSON.array(routes.map { route in
            .object([
                ("path", .string(route.path)), ("chain", .string(route.chain.name)), ("auth", .bool(route.auth != nil)),
                ("resumable", .bool(route.config.resumable != nil)),
                ("maxFiles", .int(Int64(route.config.maxFiles))),
            ])
        })
        // Inside <script>, "</" could end the element early.
        let routesJSON = list.text.replacingOccurrences(of: "</", with: "<\\/")
        let page = String(decoding: PackageResources.index_html, as: UTF8.self).replacingOccurrences(of: "/*SLUICE_ROUTES*/[]", with: routesJSON)
        var html = Reply.text(200, page, contentType: "text/html; charset=utf-8")
        html.headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:"
        html.headers[.xContentTypeOptions] = "nosniff"
        html.headers[.init("Referrer-Policy")!] = "no-referrer"
        self.html = html
        var script = Reply(status: .ok, body: ByteBuffer(bytes: PackageResources.sluice_js))
        script.headers[.contentType] = "text/javascript; charset=utf-8"
        script.headers[.cacheControl] = "public, max-age=300"
        script.headers[.xContentTypeOptions] = "nosniff"
        self.script = script
    }
}
