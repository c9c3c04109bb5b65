import Foundation
import TestSupport

/// Upload tokens minted by PyJWT, the library an app's Python backend would use: the tests
/// check Sluice against an implementation nobody here wrote.
enum PyJWT {
    struct Failed: Error, CustomStringConvertible { var description: String }

    /// `jwt.encode(claims, key, algorithm, headers)`; `key` is a secret or a PEM private key
    /// (nil for `none`).
    static func encode(_ claims: [String: Any], key: String?, algorithm: String = "HS256", headers: [String: Any] = [:]) throws -> String {
        let input = try JSONSerialization.data(withJSONObject: ["claims": claims, "key": key as Any, "algorithm": algorithm, "headers": headers])
        return try python("""
            import json, sys, jwt
            a = json.load(sys.stdin)
            sys.stdout.write(jwt.encode(a["claims"], a["key"], algorithm=a["algorithm"], headers=a["headers"] or None))
            """, input: input)
    }

    /// `jwt.decode(token, key, algorithms=[HS256], audience)`: the claims, as an app reads a
    /// receipt. Throws when PyJWT refuses it.
    static func decode(_ token: String, key: String, audience: String) throws -> [String: Any] {
        let input = try JSONSerialization.data(withJSONObject: ["token": token, "key": key, "audience": audience])
        let out = try python("""
            import json, sys, jwt
            a = json.load(sys.stdin)
            sys.stdout.write(json.dumps(jwt.decode(a["token"], a["key"], algorithms=["HS256"], audience=a["audience"])))
            """, input: input)
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
    }

    /// An HS256 token made by hand (Python's hmac), for what PyJWT rightly refuses to make: an
    /// HMAC keyed with a public key's text, the classic algorithm-confusion attack.
    static func handMadeHS256(_ claims: [String: Any], key: String) throws -> String {
        let input = try JSONSerialization.data(withJSONObject: ["claims": claims, "key": key])
        return try python("""
            import base64, hashlib, hmac, json, sys
            a = json.load(sys.stdin)
            b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
            signing = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(a["claims"]).encode())
            sys.stdout.write(signing + "." + b64(hmac.new(a["key"].encode(), signing.encode(), hashlib.sha256).digest()))
            """, input: input)
    }

    /// A new key pair: the private key as PEM, and the public key as a JWKS with that one key.
    /// `kind`: "ES256" (P-256) or "EdDSA" (Ed25519).
    static func keyPair(_ kind: String, kid: String) throws -> (privatePEM: String, publicJWKS: String) {
        let out = try python("""
            import json, sys, jwt
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import ec, ed25519
            kind, kid = sys.argv[1], sys.argv[2]
            if kind == "ES256":
                key = ec.generate_private_key(ec.SECP256R1())
                jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
            else:
                key = ed25519.Ed25519PrivateKey.generate()
                jwk = jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)
            jwk["kid"] = kid
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
            sys.stdout.write(json.dumps({"pem": pem, "jwks": {"keys": [jwk]}}))
            """, arguments: [kind, kid])
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        let jwks = try JSONSerialization.data(withJSONObject: object["jwks"]!)
        return (object["pem"] as! String, String(decoding: jwks, as: UTF8.self))
    }

    private static func python(_ program: String, arguments: [String] = [], input: Data = Data()) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (stdin, stdout, stderr)
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(description: "PyJWT: " + String(decoding: err, as: UTF8.self)) }
        return String(decoding: out, as: UTF8.self)
    }
}
