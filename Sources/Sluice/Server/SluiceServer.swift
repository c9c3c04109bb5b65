import Filters
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Storage
import UnixSignals

/// Sluice's upload server, to run on its own (``UploadServerMain``) or inside an application's
/// own `ServiceGroup`: give it a config whose chains were built with your registry.
///
/// ```swift
/// var registry = FilterRegistry.standard
/// registry.register(DenyWordFilter.definition)
/// let config = try SluiceConfig.load(path: "sluice.yaml", registry: registry)
/// try await SluiceServer(config: config).run()
/// ```
///
/// `run()` opens the storage and checks the bucket, serves until a graceful shutdown (from
/// `shutdownSignals` or from the group it runs in) or cancellation, gives uploads in flight
/// `server.shutdownTimeout` to finish, and then closes everything it opened: the storage's
/// connections and the filters' helper threads.
public struct SluiceServer: Service {
    public let config: SluiceConfig
    /// Read for SLUICE_HOST, SLUICE_PORT, credentials and route tokens.
    public var environment: [String: String]
    public var logger: Logger
    /// Signals that start a graceful shutdown; none by default, for a server inside a group
    /// that has its own.
    public var shutdownSignals: [UnixSignal] = []
    /// Told the bound address (`127.0.0.1:8080`) once the server listens: the port, when 0
    /// was asked for.
    public var onListening: @Sendable (String) -> Void = { _ in }
    /// A Hummingbird application's routes, served beside Sluice's (``mount(_:)``).
    var application: ApplicationResponder?

    public init(config: SluiceConfig, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "sluice")) {
        self.config = config
        self.environment = environment
        self.logger = logger
    }

    /// Serves a Hummingbird application's routes beside Sluice's, on the same port: Sluice
    /// answers its upload routes (and their CORS preflights), `/healthz`, `/metrics`, and `/`
    /// and `/sluice.js` while `server.page` is on; every other request goes to `responder`,
    /// e.g. `router.buildResponder()` of a `Router(context: BasicRequestContext.self)`.
    public mutating func mount<Responder: HTTPResponder>(_ responder: Responder) where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        application = ApplicationResponder(responder)
    }

    public func run() async throws {
        let server = try Settings.server(config.server, environment: environment)
        guard let storageConfig = config.storage else {
            throw StartupError("\(config.file): no storage: section; the server needs to know where uploads go (type: s3, or discard)")
        }
        guard !config.routes.isEmpty else { throw StartupError("\(config.file): no routes: nothing to upload to") }
        for warning in config.warnings { logger.warning("\(warning)") }
        let budget = MemoryBudget(limit: Int(server.maxBufferedBytes), startTimeout: .milliseconds(Int64(server.memoryWaitTimeout * 1000)))
        let storage: OpenedStorage
        do {
            storage = try storageConfig.open(environment: environment, budget: budget)
        } catch {
            throw StartupError("\(config.file): storage: \(error.message)")
        }
        let resources = FilterResources()
        do {
            try await Settings.checkStorage(storage, config: storageConfig)
            try await serve(server, storage: storage, budget: budget, resources: resources)
        } catch {
            await close(storage, resources)
            throw error
        }
        await close(storage, resources)
    }

    private func close(_ storage: OpenedStorage, _ resources: FilterResources) async {
        await storage.shutdown()
        resources.shutdown()
    }

    private func serve(_ server: ServerConfig, storage: OpenedStorage, budget: MemoryBudget, resources: FilterResources) async throws {
        let metrics = ServerMetrics(budget: budget)
        if let client = storage.s3 { metrics.observe(client) }
        var routes = try await UploadRoute.all(in: config, environment: environment)
        if let client = storage.s3, case .s3(let settings)? = config.storage?.kind {
            for index in routes.indices { routes[index].spendTokens(in: client, bucket: settings.bucket) }
        }
        for route in routes {
            if case .bearer(let bearer)? = route.auth, bearer.tokens.isEmpty {
                logger.warning("the environment variable for this route's tokens is empty or unset: every upload will get 401", metadata: ["route": "\(route.path)", "variable": "\(bearer.variable)"])
            }
        }
        // Webhooks: their secrets checked before anything is started.
        var signatures: [Int: WebhookSignature] = [:]
        for (index, route) in routes.enumerated() {
            guard let notify = route.config.notify else { continue }
            guard let secret = environment[notify.secretEnv], let signature = WebhookSignature(secret: secret) else {
                throw StartupError("route \(route.path): the webhook secret in \(notify.secretEnv) is unset or not whsec_<base64 of 24 bytes or more>")
            }
            signatures[index] = signature
        }
        let webhookClient = signatures.isEmpty ? nil : HTTPClient(eventLoopGroupProvider: .singleton)
        let background = webhookClient.map { BackgroundWebhooks(client: $0, metrics: metrics, logger: self.logger) }
        for (index, signature) in signatures {
            routes[index].webhook = WebhookTarget(
                route: routes[index].path, config: routes[index].config.notify!, signature: signature, client: webhookClient!, background: background!,
                metrics: metrics, logger: self.logger)
        }
        // The webhook client is shut down (awaited) however serving ends; the background
        // webhooks have sent what waited by the time the group returns.
        do {
            let routePaths = routes.map(\.path)
            let watchdog = ConnectionWatchdog()
            watchdog.start(on: MultiThreadedEventLoopGroup.singleton.any())
            defer { watchdog.stop() }
            let resumable = resumableUploads(routes, storage: storage, budget: budget, metrics: metrics, resources: resources)
            let dispatcher = Dispatcher(
                routes: routes, uploads: UploadHandler(sink: storage.sink, metrics: metrics, resources: resources), resumable: resumable,
                limiter: ClientLimiter(limit: server.maxConcurrentUploads, perClient: server.maxUploadsPerClient), cors: CORSPolicy(config: server.cors),
                page: server.page ? UploadPage(routes: routes) : nil, application: application, metrics: metrics, logger: logger,
                receiveRate: ReceiveRateGuard.Policy(minRate: server.minReceiveRate, grace: .milliseconds(Int64(server.receiveGracePeriod * 1000))),
                sendTimeout: .milliseconds(Int64(server.sendTimeout * 1000)), watchdog: watchdog)
            let onListening = self.onListening, logger = self.logger
            let httpServer = HTTPFrontEnd(
                host: server.host, port: server.port,
                connections: ClientLimiter(limit: server.connectionLimits.total, perClient: server.connectionLimits.perClient),
                onRefusal: { metrics.connectionRefused($0) }, logger: logger,
                responder: { request, sink in
                    do {
                        try await dispatcher.respond(to: request, sink: sink)
                    } catch {
                        // The answer could not be written: the connection is gone or going.
                        logger.trace("answer not written", metadata: ["error": "\(error)"])
                        sink.channel.close(promise: nil)
                    }
                },
                onListening: { channel in
                    let address = channel.localAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                    logger.info("listening", metadata: ["address": "\(address)", "storage": "\(storage.description)", "routes": "\(routePaths)"])
                    onListening(address)
                })
            // A group of its own, for the shutdown timeouts; run inside another group, it shuts
            // down when that one does.
            // Shut down in reverse: the HTTP server first (uploads finish, and may queue webhooks),
            // then the background webhooks send what waits.
            let sweeper = resumableSweeper(routes, uploads: resumable)
            let services: [any Service] = (sweeper.map { [$0] } ?? []) + (background.map { [$0] } ?? []) + [httpServer]
            var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: shutdownSignals, logger: logger)
            // In-flight uploads get this long to finish; then they are cancelled, which aborts them.
            group.maximumGracefulShutdownDuration = .milliseconds(Int64(server.shutdownTimeout * 1000))
            group.maximumCancellationDuration = .seconds(10)
            try await ServiceGroup(configuration: group).run()
        } catch {
            try? await webhookClient?.shutdown()
            throw error
        }
        try? await webhookClient?.shutdown()
        logger.info("stopped")
    }
}

/// Why the server could not start: a message for the operator, naming the config file.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
