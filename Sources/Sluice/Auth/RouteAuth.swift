import Filters
import Foundation
import HTTPTypes
import HummingbirdCore

/// How a route lets uploads in: static bearer tokens (for scripts), or upload tokens from the
/// app's backend, whose policy narrows what the request may do.
enum RouteAuth: Sendable {
    case bearer(BearerAuth)
    case jwt(TokenVerifier)

    /// What `request` may do on `route`, or the error to answer with before its body is read.
    /// `spendingToken: false` leaves a single-use token usable (see ``TokenVerifier/verify(_:now:spending:)``).
    func authorize(_ request: Request, route: RouteConfig, configuredMetadata: Int, spendingToken: Bool = true) async -> Result<UploadGrant, APIError> {
        switch self {
        case .bearer(let auth):
            if let error = auth.check(request.headers) { return .failure(error) }
            return .success(UploadGrant(route: route))
        case .jwt(let verifier):
            do throws(TokenRefusal) {
                guard let token = RouteAuth.token(in: request) else {
                    throw TokenRefusal(.missing, "this route needs an upload token: Authorization: Bearer <token>, or ?token=<token> where a header cannot be set")
                }
                let claims = try await verifier.verify(token, spending: spendingToken)
                var grant = try UploadGrant(route: route, policy: claims.sluice, subject: claims.sub?.value, configuredMetadata: configuredMetadata)
                if case .secretEnv = verifier.config.keys { grant.receipts = ReceiptSigner(keys: verifier.keys) }
                return .success(grant)
            } catch {
                return .failure(error.apiError)
            }
        }
    }

    /// The token from `Authorization: Bearer`, else from the `token` query parameter.
    static func token(in request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return parts[1].trimmingCharacters(in: .whitespaces) }
            return nil
        }
        guard let query = request.uri.query else { return nil }
        for pair in query.split(separator: "&") {
            let item = pair.split(separator: "=", maxSplits: 1)
            if item.count == 2, item[0] == "token" { return String(item[1]).removingPercentEncoding }
        }
        return nil
    }
}
