import Filters
import Storage

/// A route from config, ready to serve: its chain, key template, auth and limits.
struct UploadRoute: Sendable {
    let config: RouteConfig
    let chain: Chain
    let keyTemplate: KeyTemplate
    private(set) var auth: RouteAuth?
    /// Bytes of metadata the storage config puts on every object, which a token's must fit beside.
    let configuredMetadata: Int
    /// The app's webhook (`notify:`), set when the server has its HTTP client.
    var webhook: WebhookTarget?

    var path: String { config.path }

    /// Every route of `config`, with its auth's tokens or keys read from `environment`.
    static func all(in config: SluiceConfig, environment: [String: String]) async throws(StartupError) -> [UploadRoute] {
        var routes: [UploadRoute] = []
        let configuredMetadata: Int =
            if case .s3(let settings)? = config.storage?.kind { settings.metadata.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count } } else { 0 }
        for route in config.routes {
            // SluiceConfig checked both when it loaded.
            guard let chain = config.chain(named: route.chain), let storage = config.storage else {
                throw StartupError("route \(route.path) names an unknown chain")
            }
            var auth: RouteAuth?
            if let variable = route.bearerTokensEnv {
                auth = .bearer(BearerAuth(variable: variable, environment: environment))
            } else if let jwt = route.jwt {
                do {
                    auth = .jwt(try await TokenVerifier.make(jwt, environment: environment))
                } catch {
                    throw StartupError("route \(route.path): \(error.message)")
                }
            }
            routes.append(UploadRoute(
                config: route, chain: chain, keyTemplate: route.key ?? storage.keyTemplate, auth: auth, configuredMetadata: configuredMetadata))
        }
        return routes
    }

    /// With `singleUse: bucket`, the route's tokens are spent in `bucket`, where every instance
    /// sees them.
    mutating func spendTokens(in s3: any S3API, bucket: String) {
        guard case .jwt(var verifier)? = auth, verifier.config.spentInBucket else { return }
        verifier.replays = BucketReplayLedger(s3: s3, bucket: bucket, prefix: BucketReplayLedger.defaultPrefix)
        auth = .jwt(verifier)
    }
}
