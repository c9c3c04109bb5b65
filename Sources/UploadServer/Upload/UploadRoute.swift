import Filters

/// A route from config, ready to serve: its chain, key template, auth and limits.
struct UploadRoute: Sendable {
    let config: RouteConfig
    let chain: Chain
    let keyTemplate: KeyTemplate
    let auth: BearerAuth?

    var path: String { config.path }
}
