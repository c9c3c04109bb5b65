/// Why an upload token was not accepted. Each reason is its own `error` code in the JSON
/// answer: 401 when the token does not prove who sent it, 403 when it does but does not allow
/// this upload, 503 when the bucket that remembers spent tokens cannot be asked.
struct TokenRefusal: Error, Sendable, Equatable {
    enum Reason: String, Sendable {
        case missing = "token_missing"
        case tooLarge = "token_too_large"
        case malformed = "token_malformed"
        case algorithmNotAccepted = "token_algorithm_not_accepted"
        case badSignature = "token_bad_signature"
        case noExpiry = "token_no_expiry"
        case expired = "token_expired"
        case notYetValid = "token_not_yet_valid"
        case wrongIssuer = "token_wrong_issuer"
        case wrongAudience = "token_wrong_audience"
        case replayed = "token_replayed"
        case wrongRoute = "token_wrong_route"
        case policyWidens = "token_policy_widens"
        case policyInvalid = "token_policy_invalid"
        case ledgerUnavailable = "token_ledger_unavailable"
    }

    var reason: Reason
    var message: String

    init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    var status: Int {
        switch reason {
        case .wrongRoute, .policyWidens, .policyInvalid: 403
        case .ledgerUnavailable: 503
        default: 401
        }
    }

    var apiError: APIError { APIError(status: status, error: reason.rawValue, message: message) }
}
