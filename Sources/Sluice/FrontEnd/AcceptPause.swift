#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore

/// On the listening channel: when accepting fails for want of resources (no file descriptor or
/// memory left), stops accepting for a while. Otherwise the waiting connection keeps the socket
/// readable and every accept fails again at once: a core spins for as long as the connections
/// that took the descriptors stay open. (NIO's `AcceptBackoffHandler` only delays the next
/// `read`, and after a failed accept the channel never asks for one.)
final class AcceptPause: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    static let duration = TimeAmount.seconds(1)
    private static let outOfResources: Set<CInt> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]
    private let logger: Logger
    private var paused = false

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let failure = error as? IOError, Self.outOfResources.contains(failure.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        guard !paused, let options = context.channel.syncOptions else { return }
        paused = true
        logger.warning("cannot accept connections, pausing for a second", metadata: ["error": "\(failure)"])
        try? options.setOption(.autoRead, value: false)
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.duration) {
            self.paused = false
            try? options.setOption(.autoRead, value: true)
        }
    }
}
