import Filters
import NIOCore
import NIOHTTP1

/// Marks an HTTP/1.0 request that did not ask for keep-alive with `Connection: close`, so the
/// connection is closed after the answer as RFC 9112 requires. The HTTP version is lost once a
/// request becomes an HTTPTypes request, so this works before that conversion: when the server
/// adds it, it inserts its marker right after the HTTP/1 decoder. (Clients such as ab wait for
/// the close.)
final class HTTP10KeepAlive: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Never

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return }
        try? pipeline.addHandler(Marker(), position: .after(decoder))
    }

    final class Marker: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias InboundOut = HTTPServerRequestPart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head(var head) = unwrapInboundIn(data), head.version.major == 1, head.version.minor == 0, !head.isKeepAlive {
                head.headers.replaceOrAdd(name: "connection", value: "close")
                context.fireChannelRead(wrapInboundOut(.head(head)))
                return
            }
            context.fireChannelRead(data)
        }
    }
}
