import Crypto
import Foundation

/// Standard Webhooks' signature: HMAC-SHA256 over `id.timestamp.body` with the secret's bytes
/// (the base64 after `whsec_`), sent as `webhook-signature: v1,<base64>`.
struct WebhookSignature: Sendable {
    let key: SymmetricKey

    static let secretPrefix = "whsec_"

    /// nil when `secret` is not `whsec_` (optional) and base64 of at least 24 bytes.
    init?(secret: String) {
        var text = secret.hasPrefix(WebhookSignature.secretPrefix) ? String(secret.dropFirst(WebhookSignature.secretPrefix.count)) : secret
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let bytes = Data(base64Encoded: text), bytes.count >= 24 else { return nil }
        key = SymmetricKey(data: bytes)
    }

    func sign(id: String, timestamp: Int, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }
}
