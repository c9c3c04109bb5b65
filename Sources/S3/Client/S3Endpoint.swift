import Checksums

/// Where S3 requests go and how buckets are addressed.
public struct S3Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// `host/bucket/key` instead of `bucket.host/key`.
    public var pathStyle: Bool

    /// AWS's regional endpoint, virtual-hosted style.
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com", port: nil, pathStyle: false)
    }

    /// A custom endpoint such as `http://127.0.0.1:9000` (MinIO, R2, moto, ...).
    public static func custom(_ url: String, pathStyle: Bool) throws(S3SetupError) -> S3Endpoint {
        guard let schemeEnd = url.range(of: "://") else { throw S3SetupError("endpoint \"\(url)\" needs a scheme: http:// or https://") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw S3SetupError("endpoint \"\(url)\": the scheme must be http or https") }
        var authority = String(url[schemeEnd.upperBound...])
        if authority.hasSuffix("/") { authority.removeLast() }
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("?") else {
            throw S3SetupError("endpoint \"\(url)\" must be scheme://host[:port], without a path")
        }
        var host = authority, port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw S3SetupError("endpoint \"\(url)\" has a bad port")
            }
            host = String(authority[..<colon])
            port = number
        }
        return S3Endpoint(scheme: scheme, host: host, port: port, pathStyle: pathStyle)
    }

    /// The Host header and the encoded path for an object (or the bucket when `key` is nil).
    /// Bucket names that are not valid DNS labels (dots included, over HTTPS) use path style.
    func location(bucket: String, key: String?) -> (host: String, path: String) {
        let keyPath = key.map { "/" + URIEncoding.encodePath($0) } ?? ""
        if pathStyle || !S3Endpoint.isVirtualHostable(bucket, secure: scheme == "https") {
            return (hostHeader(host), "/" + URIEncoding.encode(bucket) + keyPath)
        }
        return (hostHeader("\(bucket).\(host)"), keyPath.isEmpty ? "/" : keyPath)
    }

    func hostHeader(_ name: String) -> String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return name }
        return "\(name):\(port)"
    }

    static func isVirtualHostable(_ bucket: String, secure: Bool) -> Bool {
        guard (3...63).contains(bucket.count), !(secure && bucket.contains(".")) else { return false }
        return bucket.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
    }

    public var description: String { "\(scheme)://\(hostHeader(host))\(pathStyle ? " (path style)" : "")" }
}
