import Filters
import NIOCore
import NIOHTTP1

/// HTTP/1.0 connections as RFC 9112 (appendix C.2.2) has them: closed after the answer unless
/// the request asked for keep-alive, and then the answer says `Connection: keep-alive`, which an
/// HTTP/1.0 client needs to reuse the connection (ab -k waited for a close that never came).
/// The HTTP version is lost once a request becomes an HTTPTypes request, so this works before
/// that conversion: when the server adds it, it inserts its marker right after the HTTP/1
/// decoder, where answers pass on their way to the encoder. Public for Hummingbird servers of
/// your own (`HTTP1Channel.Configuration(additionalChannelHandlers: [HTTP10KeepAlive()])`):
/// Hummingbird alone keeps an HTTP/1.0 connection open after the answer.
public final class HTTP10KeepAlive: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    public typealias InboundIn = Never

    public init() {}

    public func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return }
        try? pipeline.addHandler(Marker(), position: .after(decoder))
    }

    final class Marker: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias InboundOut = HTTPServerRequestPart
        typealias OutboundIn = HTTPServerResponsePart
        typealias OutboundOut = HTTPServerResponsePart

        /// Whether the request being answered is HTTP/1.0 with keep-alive.
        private var keepsHTTP10Alive = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head(var head) = unwrapInboundIn(data), head.version.major == 1, head.version.minor == 0 {
                keepsHTTP10Alive = head.isKeepAlive
                if !head.isKeepAlive {
                    head.headers.replaceOrAdd(name: "connection", value: "close")
                    context.fireChannelRead(wrapInboundOut(.head(head)))
                    return
                }
            } else if case .head = unwrapInboundIn(data) {
                keepsHTTP10Alive = false
            }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if keepsHTTP10Alive, case .head(var head) = unwrapOutboundIn(data), head.status.code >= 200,
               !head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" }) {
                head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
            context.write(data, promise: promise)
        }
    }
}
