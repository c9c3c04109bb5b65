import Checksums
import Crypto
import Foundation

/// AWS Signature Version 4 for S3, header-based: the canonical request, the string to sign,
/// the day's signing key, and the Authorization header.
public struct SigV4Signer: Sendable {
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var credentials: S3Credentials
    public var region: String
    public var service: String
    private let keys = SigningKeyCache()

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign: `path` and `query` exactly as they go on the wire (already encoded
    /// by ``URIEncoding``), `headers` including `host`.
    public struct Request {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String?)]
        public var headers: [(name: String, value: String)]
        /// Hex SHA-256 of the body, or ``SigV4Signer/unsignedPayload``.
        public var payloadHash: String

        public init(method: String, path: String, query: [(name: String, value: String?)] = [], headers: [(name: String, value: String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The headers to add to the request: x-amz-date, x-amz-content-sha256, the session token
    /// if any, and Authorization. Every header given is signed.
    public func sign(_ request: Request, date: Date) -> [(name: String, value: String)] {
        let (amzDate, day) = SigV4Signer.timestamps(date)
        var added: [(name: String, value: String)] = [("x-amz-date", amzDate), ("x-amz-content-sha256", request.payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        var signing = request
        signing.headers += added
        let (canonical, signedHeaders) = canonicalRequestBytes(signing)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        var stringToSign = [UInt8]()
        stringToSign.reserveCapacity(160)
        stringToSign.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        stringToSign.append(contentsOf: amzDate.utf8)
        stringToSign.append(UInt8(ascii: "\n"))
        stringToSign.append(contentsOf: scope.utf8)
        stringToSign.append(UInt8(ascii: "\n"))
        stringToSign.append(contentsOf: SigV4Signer.hexSHA256(canonical).utf8)
        let signature = HMAC<SHA256>.authenticationCode(for: stringToSign, using: signingKey(day: day))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(Array(signature).hex)"
        return added + [("authorization", authorization)]
    }

    /// The canonical request and the signed-headers list.
    func canonicalRequest(_ request: Request) -> (String, String) {
        let (canonical, signedHeaders) = canonicalRequestBytes(request)
        return (String(decoding: canonical, as: UTF8.self), signedHeaders)
    }

    /// The canonical request as bytes, built without dictionaries or string joins: it is signed
    /// for every S3 request.
    private func canonicalRequestBytes(_ request: Request) -> ([UInt8], String) {
        // Lowercase names, values trimmed with inner runs of spaces collapsed, repeats joined by
        // commas in the order given, names sorted by their bytes.
        let headers = request.headers.enumerated()
            .map { (name: Self.lowercased($0.element.name), value: Self.collapsingBlanks($0.element.value), order: $0.offset) }
            .sorted { $0.name == $1.name ? $0.order < $1.order : $0.name.lexicographicallyPrecedes($1.name) }
        var out = [UInt8]()
        out.reserveCapacity(512)
        out.append(contentsOf: request.method.utf8)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: request.path.utf8)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: URIEncoding.canonicalQuery(request.query).utf8)
        out.append(UInt8(ascii: "\n"))
        var signedHeaders = [UInt8]()
        for (index, header) in headers.enumerated() {
            if index > 0, headers[index - 1].name == header.name {
                out.removeLast()  // the previous line's newline: a repeat joins it with a comma
                out.append(UInt8(ascii: ","))
            } else {
                out.append(contentsOf: header.name)
                out.append(UInt8(ascii: ":"))
                if !signedHeaders.isEmpty { signedHeaders.append(UInt8(ascii: ";")) }
                signedHeaders.append(contentsOf: header.name)
            }
            out.append(contentsOf: header.value)
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: signedHeaders)
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: request.payloadHash.utf8)
        return (out, String(decoding: signedHeaders, as: UTF8.self))
    }

    /// ASCII letters to lower case (header names are ASCII tokens).
    private static func lowercased(_ text: String) -> [UInt8] {
        text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
    }

    /// Leading and trailing blanks dropped, each inner run of spaces and tabs as one space.
    private static func collapsingBlanks(_ text: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return out
    }

    func signingKey(day: String) -> SymmetricKey {
        let scope = SigningKeyCache.Scope(secret: credentials.secretAccessKey, day: day, region: region, service: service)
        return keys.key(for: scope) { scope in
            var key = SymmetricKey(data: Array("AWS4\(scope.secret)".utf8))
            for part in [scope.day, scope.region, scope.service, "aws4_request"] {
                key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
            }
            return key
        }
    }

    /// ("20130524T000000Z", "20130524") in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds.floorDivided(by: 86_400)
        let (y, m, d) = civil(fromDays: days)
        let s = seconds - days * 86_400
        let day = digits(y, 4) + digits(m, 2) + digits(d, 2)
        return (day + "T" + digits(s / 3600, 2) + digits(s / 60 % 60, 2) + digits(s % 60, 2) + "Z", day)
    }

    /// `value` in decimal, zero-padded to `width`, without Foundation's formatter (this runs on every request).
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func hexSHA256(_ bytes: [UInt8]) -> String { Array(SHA256.hash(data: bytes)).hex }
}

extension Int {
    func floorDivided(by divisor: Int) -> Int {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
