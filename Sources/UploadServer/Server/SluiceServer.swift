import Filters
import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The HTTP server: HummingbirdCore's HTTP/1 server with Sluice's dispatcher as responder,
/// in a service group that shuts down gracefully on SIGTERM and SIGINT.
struct SluiceServer {
    let config: SluiceConfig
    let server: ServerConfig
    let storage: Storage
    let budget: MemoryBudget
    let environment: [String: String]
    let logger: Logger
    /// Told the bound address once the server listens (the port, when 0 was asked for).
    var onListening: @Sendable (String) -> Void = { _ in }

    func run() async throws {
        let metrics = ServerMetrics(budget: budget)
        if let client = storage.s3 { metrics.observe(client) }
        let routes = try config.routes.map { route in
            guard let chain = config.chain(named: route.chain), let storageConfig = config.storage else {
                throw S3SetupError("route \(route.path) names an unknown chain")
            }
            return UploadRoute(
                config: route, chain: chain, keyTemplate: route.key ?? storageConfig.keyTemplate,
                auth: route.bearerTokensEnv.map { BearerAuth(variable: $0, environment: environment) })
        }
        for route in routes where route.auth?.tokens.isEmpty == true {
            logger.warning("the environment variable for this route's tokens is empty or unset: every upload will get 401", metadata: ["route": "\(route.path)", "variable": "\(route.auth!.variable)"])
        }
        let dispatcher = Dispatcher(
            routes: routes, uploads: UploadHandler(sink: storage.sink, metrics: metrics),
            limiter: UploadLimiter(limit: server.maxConcurrentUploads, perClient: server.maxUploadsPerClient), cors: CORSPolicy(config: server.cors),
            page: server.page ? UploadPage(routes: routes) : nil, metrics: metrics, logger: logger,
            receiveRate: ReceiveRateGuard.Policy(minRate: server.minReceiveRate, grace: .milliseconds(Int64(server.receiveGracePeriod * 1000))),
            sendTimeout: .milliseconds(Int64(server.sendTimeout * 1000)))
        let onListening = self.onListening, logger = self.logger
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [ReadBufferSize(), HTTP10KeepAlive()], idleTimeout: .seconds(75))
        let httpServer = try HTTPServerBuilder.http1(configuration: http1).buildServer(
            configuration: .init(address: .hostname(server.host, port: server.port), serverName: nil, reuseAddress: true),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            responder: { request, writer, channel in
                try await dispatcher.respond(to: request, writer: writer, channel: channel)
            },
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                onListening(address)
            })
        var group = ServiceGroupConfiguration(services: [httpServer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // In-flight uploads get this long to finish; then they are cancelled, which aborts them.
        group.maximumGracefulShutdownDuration = .milliseconds(Int64(server.shutdownTimeout * 1000))
        group.maximumCancellationDuration = .seconds(10)
        try await ServiceGroup(configuration: group).run()
        logger.info("stopped")
    }
}
