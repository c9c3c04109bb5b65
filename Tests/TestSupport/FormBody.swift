/// Builds multipart/form-data bodies for tests.
public struct FormBody: Sendable {
    public struct Part: Sendable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: [UInt8]
        public var extraHeaders: [String] = []

        public init(name: String, filename: String? = nil, contentType: String? = nil, body: [UInt8], extraHeaders: [String] = []) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.body = body
            self.extraHeaders = extraHeaders
        }
    }

    public var boundary = "----SluiceTestBoundary7MA4YWxkTrZu0gW"
    public var parts: [Part]

    public init(boundary: String = "----SluiceTestBoundary7MA4YWxkTrZu0gW", parts: [Part]) {
        self.boundary = boundary
        self.parts = parts
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            out += Array("--\(boundary)\r\n".utf8)
            var disposition = "Content-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { disposition += "; filename=\"\(filename)\"" }
            out += Array("\(disposition)\r\n".utf8)
            if let type = part.contentType { out += Array("Content-Type: \(type)\r\n".utf8) }
            for header in part.extraHeaders { out += Array("\(header)\r\n".utf8) }
            out += Array("\r\n".utf8) + part.body + Array("\r\n".utf8)
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}

