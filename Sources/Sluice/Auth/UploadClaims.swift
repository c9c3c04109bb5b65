import Foundation
import JWTKit

/// An upload token's claims. jwt-kit checks the signature; ``TokenVerifier`` checks the
/// claims itself, so that each refusal can name its reason.
struct UploadClaims: JWTPayload {
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var iat: IssuedAtClaim?
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    /// The user the app minted the token for: stored in the object's metadata and logged.
    var sub: SubjectClaim?
    /// With `singleUse`, each id is accepted once within the token's life.
    var jti: IDClaim?
    /// What this token allows, within its route.
    var sluice: UploadPolicy?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
