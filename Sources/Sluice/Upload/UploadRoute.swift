import Filters
import Storage

/// A route from config, ready to serve: its chain, key template, auth and limits.
struct UploadRoute: Sendable {
    let config: RouteConfig
    let chain: Chain
    let keyTemplate: KeyTemplate
    let auth: BearerAuth?

    var path: String { config.path }

    /// Every route of `config`, with the tokens its auth names read from `environment`.
    static func all(in config: SluiceConfig, environment: [String: String]) throws(StartupError) -> [UploadRoute] {
        var routes: [UploadRoute] = []
        for route in config.routes {
            // SluiceConfig checked both when it loaded.
            guard let chain = config.chain(named: route.chain), let storage = config.storage else {
                throw StartupError("route \(route.path) names an unknown chain")
            }
            routes.append(UploadRoute(
                config: route, chain: chain, keyTemplate: route.key ?? storage.keyTemplate,
                auth: route.bearerTokensEnv.map { BearerAuth(variable: $0, environment: environment) }))
        }
        return routes
    }
}
