import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Sluice's HTTP/1.1 server: connections handled on their event loops by channel handlers, a
/// task only for each request's answer. A graceful shutdown stops accepting, lets each
/// connection finish the request it is answering and closes it; cancelling `run` then cancels
/// the answers still running.
struct HTTPFrontEnd: Service {
    var host: String
    var port: Int
    var idleTimeout: Duration = .seconds(75)
    /// Connections open at once, in all and per client address.
    var connections = ClientLimiter(limit: 1024, perClient: 64)
    /// Told of each connection closed at once for being over a limit.
    var onRefusal: @Sendable (ClientLimiter.Refusal) -> Void = { _ in }
    var logger: Logger
    var responder: ConnectionHandler.Responder
    var onListening: @Sendable (any Channel) async -> Void = { _ in }

    /// A request head's limits: 80 KiB for a field and for all of them, at most 1,000 fields.
    static let headLimits: NIOHTTPDecoderLimitConfiguration = {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = 80 << 10
        limits.maxHeaderListSize = 80 << 10
        limits.maxHeaderFieldCount = 1000
        return limits
    }()

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let tasks = RequestTasks(priority: Task.currentPriority)
        let logger = self.logger, idleTimeout = self.idleTimeout, connections = self.connections, onRefusal = self.onRefusal
        let responder: ConnectionHandler.Responder = self.responder
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptPause(logger: logger))
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                    try channel.pipeline.syncOperations.addHandler(ConnectionAdmission(limiter: connections, refused: onRefusal))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(
                        withPipeliningAssistance: true, withErrorHandling: false, withOutboundHeaderValidation: false,
                        withEncoderConfiguration: .init(), withDecoderLimitConfiguration: HTTPFrontEnd.headLimits)
                    try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                    try pipeline.addHandlers([ReadBufferSize(), HTTP10KeepAlive()])
                    try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: idleTimeout, logger: logger))
                    try pipeline.addHandler(ConnectionHandler(responder: responder, tasks: tasks))
                }
            }
            .bind(host: host, port: port).get()
        let allClosed = server.eventLoop.makePromise(of: Void.self)
        let shuttingDown = Atomic(false)
        let shutDown: @Sendable () -> Void = {
            guard !shuttingDown.exchange(true, ordering: .relaxed) else { return }
            quiescing.initiateShutdown(promise: allClosed)
        }
        await withTaskCancellationHandler {
            await onListening(server)
            await withGracefulShutdownHandler {
                try? await server.closeFuture.get()
            } onGracefulShutdown: {
                shutDown()
            }
            try? await allClosed.futureResult.get()
        } onCancel: {
            tasks.cancelAll()
            shutDown()
        }
    }
}
