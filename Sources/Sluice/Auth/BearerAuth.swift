import Filters
import Foundation
import HTTPTypes

/// `auth: { bearerTokensEnv: NAME }`: the tokens in that environment variable (separated by
/// commas or spaces) are accepted in `Authorization: Bearer <token>`.
struct BearerAuth: Sendable {
    let variable: String
    let tokens: Set<String>

    init(variable: String, environment: [String: String]) {
        self.variable = variable
        self.tokens = Set((environment[variable] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).map(String.init))
    }

    /// nil when allowed; otherwise the error to answer with.
    func check(_ headers: HTTPFields) -> APIError? {
        guard let header = headers[.authorization] else {
            return APIError(status: 401, error: "unauthorized", message: "this route needs an Authorization: Bearer token")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", BearerAuth.contains(tokens, String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            return APIError(status: 401, error: "unauthorized", message: "the bearer token is not valid")
        }
        return nil
    }

    /// Compares without returning early, so timing does not reveal how much of a token matched.
    static func contains(_ tokens: Set<String>, _ candidate: String) -> Bool {
        var found = false
        let given = Array(candidate.utf8)
        for token in tokens {
            let expected = Array(token.utf8)
            var difference = UInt8(expected.count == given.count ? 0 : 1)
            for i in 0..<Swift.min(expected.count, given.count) { difference |= expected[i] ^ given[i] }
            found = found || difference == 0
        }
        return found
    }
}
