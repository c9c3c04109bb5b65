import Filters

/// `auth: { jwt: {...} }` — upload tokens the app's backend signs (see README, "Using Sluice
/// with your app"). One of `secretEnv` (HS256, a secret shared with the app) or
/// `publicKeysFile` (a JWKS of ES256 or EdDSA public keys: the app keeps the private ones).
public struct JWTAuthConfig: Sendable, Equatable {
    public enum Keys: Sendable, Equatable {
        /// The environment variable that holds the HS256 secret.
        case secretEnv(String)
        /// A JSON Web Key Set file of public keys.
        case publicKeysFile(String)
    }

    public var keys: Keys
    /// Required `iss`, when set.
    public var issuer: String?
    /// Required in `aud`, when set.
    public var audience: String?
    /// Seconds of clock difference allowed on `exp`, `nbf` and `iat`.
    public var leeway: Double = 30
    /// Each token's `jti` is accepted once (tokens without one are refused).
    public var singleUse = false
    /// With `singleUse`: spent ids are remembered in the storage bucket (`singleUse: bucket`),
    /// so that no instance accepts a token another one accepted; otherwise in this process.
    public var spentInBucket = false

    public init(keys: Keys) {
        self.keys = keys
    }

    init(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowed: ["secretEnv", "publicKeysFile", "issuer", "audience", "leeway", "singleUse"])
        switch (map["secretEnv"], map["publicKeysFile"]) {
        case (let env?, nil):
            let name = try env.string()
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw env.error("\"\(name)\" is not an environment variable name")
            }
            keys = .secretEnv(name)
        case (nil, let file?):
            let path = try file.string()
            guard !path.isEmpty else { throw file.error("name the JWKS file of the public keys") }
            keys = .publicKeysFile(path)
        case (.some, .some):
            throw node.error("set one of secretEnv (HS256) and publicKeysFile (ES256, EdDSA), not both")
        case (nil, nil):
            throw node.error("set secretEnv (an environment variable holding the HS256 secret) or publicKeysFile (a JWKS of ES256 or EdDSA public keys)")
        }
        issuer = try map["issuer"].map { node throws(ConfigError) in try node.string() }
        audience = try map["audience"].map { node throws(ConfigError) in try node.string() }
        if let node = map["leeway"] {
            leeway = try node.seconds(example: "30")
            guard leeway <= 600 else { throw node.error("at most 600 seconds: a longer leeway keeps expired tokens alive") }
        }
        if let node = map["singleUse"] {
            if (try? node.string()) == "bucket" {
                (singleUse, spentInBucket) = (true, true)
            } else {
                do { singleUse = try node.bool() } catch {
                    throw node.error("singleUse is true (each token once, remembered by this process), bucket (remembered in the storage bucket, for every instance) or false")
                }
            }
        }
    }
}
