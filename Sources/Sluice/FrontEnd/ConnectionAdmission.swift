import NIOCore

/// On the listening channel: admits each accepted connection through the ``ClientLimiter``,
/// or closes it before it is registered, so that a refused one costs no buffers and no reads.
final class ConnectionAdmission: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let limiter: ClientLimiter
    private let refused: @Sendable (ClientLimiter.Refusal) -> Void

    init(limiter: ClientLimiter, refused: @escaping @Sendable (ClientLimiter.Refusal) -> Void) {
        self.limiter = limiter
        self.refused = refused
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        let client = ClientLimiter.clientKey(connection.remoteAddress)
        if let refusal = limiter.tryEnter(client: client) {
            refused(refusal)
            connection.close(promise: nil)
            return
        }
        let limiter = self.limiter
        connection.closeFuture.whenComplete { _ in limiter.leave(client: client) }
        context.fireChannelRead(data)
    }
}
