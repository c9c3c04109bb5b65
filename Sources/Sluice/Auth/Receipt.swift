import Filters
import Foundation
import JWTKit

/// What the 201 says was stored, signed with the route's upload-token secret: an app that lets
/// the browser report back verifies this instead of trusting what the browser says. A JWT
/// (HS256) with `aud: sluice-receipt` and the header `typ: sluice-receipt+jwt`, which upload
/// tokens must not have, so that a receipt never opens a route.
struct ReceiptClaims: JWTPayload {
    struct File: Codable, Sendable {
        var bucket: String?
        var key: String
        var size: Int64
        var contentType: String?
        var sniffedType: String?
        var digests: [String: String]
        var etag: String?
        var versionId: String?
    }

    var iss: IssuerClaim
    var aud: AudienceClaim
    var sub: SubjectClaim?
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var route: String
    var requestId: String
    var files: [File]

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    static let audience = "sluice-receipt"
    static let type = "sluice-receipt+jwt"
}

/// Signs receipts for one route, with the key its upload tokens are checked with.
struct ReceiptSigner: Sendable {
    let keys: JWTKeyCollection
    /// How long an app may take to present a receipt.
    static let lifetime: TimeInterval = 3600

    func sign(_ files: [StoredFile], route: String, subject: String?, requestId: String, now: Date = Date()) async throws -> String {
        let claims = ReceiptClaims(
            iss: IssuerClaim(value: "sluice"), aud: AudienceClaim(value: [ReceiptClaims.audience]), sub: subject.map { SubjectClaim(value: $0) },
            iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: now.addingTimeInterval(ReceiptSigner.lifetime)),
            route: route, requestId: requestId,
            files: files.map { file in
                let upload = file.report.upload
                return ReceiptClaims.File(
                    bucket: file.object.bucket, key: file.object.key, size: file.object.size, contentType: upload.contentType,
                    sniffedType: upload.sniffedType, digests: Dictionary(upload.digests.map { ($0.algorithm, $0.hex) }) { first, _ in first },
                    etag: file.object.etag, versionId: file.object.versionId)
            })
        return try await keys.sign(claims, header: ["typ": .string(ReceiptClaims.type)])
    }
}
