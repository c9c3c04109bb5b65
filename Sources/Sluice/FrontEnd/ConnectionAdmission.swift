import NIOCore

/// On the listening channel: admits each accepted connection through the ``ConnectionLimiter``,
/// or closes it before it is registered, so that a refused one costs no buffers and no reads.
final class ConnectionAdmission: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let limiter: ConnectionLimiter
    private let refused: @Sendable (ConnectionLimiter.Refusal) -> Void

    init(limiter: ConnectionLimiter, refused: @escaping @Sendable (ConnectionLimiter.Refusal) -> Void) {
        self.limiter = limiter
        self.refused = refused
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        let client = UploadLimiter.clientKey(connection.remoteAddress)
        if let refusal = limiter.tryOpen(client: client) {
            refused(refusal)
            connection.close(promise: nil)
            return
        }
        let limiter = self.limiter
        connection.closeFuture.whenComplete { _ in limiter.closed(client: client) }
        context.fireChannelRead(data)
    }
}
