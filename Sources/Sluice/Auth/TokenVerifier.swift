import Foundation
import JWTKit

/// Checks upload tokens for one route: the algorithm in the header against the route's, the
/// signature (jwt-kit), then each claim, so that every refusal names its reason.
struct TokenVerifier: Sendable {
    let keys: JWTKeyCollection
    /// What the route's keys can verify: HS256 for a secret; ES256, EdDSA for a JWKS.
    let algorithms: Set<String>
    let config: JWTAuthConfig
    /// Where single-use tokens are spent; nil unless the route's tokens are single-use.
    var replays: (any ReplayLedger)?

    /// Longer tokens are refused before any parsing.
    static let maximumLength = 8192
    /// An HS256 secret shorter than the hash is guessable (RFC 7518, 3.2).
    static let minimumSecretBytes = 32

    /// The route's keys, from the environment or the JWKS file.
    static func make(_ config: JWTAuthConfig, environment: [String: String]) async throws(StartupError) -> TokenVerifier {
        let keys = JWTKeyCollection()
        let algorithms: Set<String>
        switch config.keys {
        case .secretEnv(let name):
            guard let secret = environment[name], !secret.isEmpty else {
                throw StartupError("the environment variable \(name), which holds the routes' upload-token secret, is empty or unset")
            }
            guard secret.utf8.count >= minimumSecretBytes else {
                throw StartupError("the upload-token secret in \(name) is \(secret.utf8.count) bytes; HS256 needs at least \(minimumSecretBytes) (e.g. `openssl rand -base64 48`)")
            }
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            algorithms = ["HS256"]
        case .publicKeysFile(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw StartupError("\(path): cannot read the upload-token public keys") }
            let jwks: JWKS
            do {
                jwks = try JSONDecoder().decode(JWKS.self, from: data)
            } catch {
                throw StartupError("\(path): not a JSON Web Key Set ({\"keys\": [...]}): \(error)")
            }
            guard !jwks.keys.isEmpty else { throw StartupError("\(path): the key set is empty") }
            var found: Set<String> = []
            for (index, jwk) in jwks.keys.enumerated() {
                guard jwk.privateExponent == nil else {
                    throw StartupError("\(path): key \(index) holds a private key (\"d\"); give Sluice the public keys only")
                }
                if jwk.keyType == .ecdsa && jwk.curve == .ecdsa(.p256) {
                    found.insert("ES256")
                } else if jwk.keyType == .octetKeyPair && jwk.curve == .eddsa(.ed25519) {
                    found.insert("EdDSA")
                } else {
                    throw StartupError("\(path): key \(index) is neither an EC P-256 key (ES256) nor an Ed25519 key (EdDSA)")
                }
                do {
                    try await keys.add(jwk: jwk)
                } catch {
                    throw StartupError("\(path): key \(index): \(error)")
                }
            }
            algorithms = found
        }
        return TokenVerifier(keys: keys, algorithms: algorithms, config: config, replays: config.singleUse ? ReplayGuard() : nil)
    }

    /// The token's claims, or why it is refused. `spending: false` is for a resumable upload's
    /// later requests, which must bring the token that created it: a single-use token is not
    /// used up, and one past its `exp` still serves the upload it began.
    func verify(_ token: String, now: Date = Date(), spending: Bool = true) async throws(TokenRefusal) -> UploadClaims {
        guard token.utf8.count <= TokenVerifier.maximumLength else {
            throw TokenRefusal(.tooLarge, "the token is \(token.utf8.count) bytes; at most \(TokenVerifier.maximumLength)")
        }
        let algorithm = try TokenVerifier.algorithm(of: token)
        guard algorithms.contains(algorithm) else {
            throw TokenRefusal(.algorithmNotAccepted, "the token is signed with \(algorithm); this route accepts \(algorithms.sorted().joined(separator: ", "))")
        }
        let claims: UploadClaims
        do {
            claims = try await keys.verify(token, as: UploadClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw TokenRefusal(.badSignature, "the token's signature does not verify with this route's keys")
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw TokenRefusal(.malformed, "the token is not a JWT: \(error.reason ?? "unreadable")")
        } catch let error as JWTError {
            throw TokenRefusal(.badSignature, "the token does not verify with this route's keys (\(error.reason ?? "\(error.errorType)"))")
        } catch {
            throw TokenRefusal(.malformed, "the token's claims cannot be read: \(error)")
        }
        try check(claims, now: now, spending: spending)
        if spending { try await spend(claims, now: now) }
        return claims
    }

    /// Expiry, validity window, issuer and audience.
    private func check(_ claims: UploadClaims, now: Date, spending: Bool) throws(TokenRefusal) {
        let leeway = config.leeway
        guard let exp = claims.exp?.value else { throw TokenRefusal(.noExpiry, "the token has no exp claim; upload tokens must expire") }
        // An upload the token created lives until its own expiry, which the token set in motion.
        guard !spending || now.timeIntervalSince(exp) <= leeway else { throw TokenRefusal(.expired, "the token expired at \(Self.format(exp))") }
        if let nbf = claims.nbf?.value, nbf.timeIntervalSince(now) > leeway {
            throw TokenRefusal(.notYetValid, "the token is not valid before \(Self.format(nbf))")
        }
        if let iat = claims.iat?.value, iat.timeIntervalSince(now) > leeway {
            throw TokenRefusal(.notYetValid, "the token was issued in the future (\(Self.format(iat))); check the clocks")
        }
        if let issuer = config.issuer, claims.iss?.value != issuer {
            throw TokenRefusal(.wrongIssuer, "the token's issuer is \(claims.iss.map { "\"\($0.value)\"" } ?? "missing"); this route accepts \"\(issuer)\"")
        }
        if claims.aud?.value.contains(ReceiptClaims.audience) == true {
            throw TokenRefusal(.malformed, "this is an upload receipt, not an upload token")
        }
        if let audience = config.audience, !(claims.aud?.value.contains(audience) ?? false) {
            throw TokenRefusal(.wrongAudience, "the token's audience does not include \"\(audience)\"")
        }
    }

    /// A single-use token's id, spent (after every other check): refused if it was already.
    private func spend(_ claims: UploadClaims, now: Date) async throws(TokenRefusal) {
        guard let replays, let exp = claims.exp?.value else { return }
        guard let id = claims.jti?.value, !id.isEmpty else {
            throw TokenRefusal(.malformed, "this route's tokens are single-use and need a jti claim")
        }
        switch await replays.use(id, expires: exp.addingTimeInterval(config.leeway), now: now) {
        case .first: break
        case .replayed: throw TokenRefusal(.replayed, "the token (jti \(id)) was used already; each is good for one upload")
        case .full: throw TokenRefusal(.replayed, "too many single-use tokens are alive at once on this server; try again with a shorter-lived token")
        case .unavailable(let reason):
            throw TokenRefusal(.ledgerUnavailable, "whether this single-use token was spent already cannot be checked now (\(reason)); try again")
        }
    }

    /// The header's `alg`, read before the signature so that `none` and others never reach a key.
    static func algorithm(of token: String) throws(TokenRefusal) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Data(base64URL: String(parts[0])), Data(base64URL: String(parts[1])) != nil,
            Data(base64URL: String(parts[2])) != nil, let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any]
        else {
            throw TokenRefusal(.malformed, "the token is not a JWT (header.payload.signature, base64url)")
        }
        guard let algorithm = object["alg"] as? String else { throw TokenRefusal(.malformed, "the token's header has no alg") }
        guard object["typ"] as? String != ReceiptClaims.type else {
            throw TokenRefusal(.malformed, "this is an upload receipt, not an upload token")
        }
        return algorithm
    }

    static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

extension Data {
    /// Base64url without padding, as JWTs write it.
    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
