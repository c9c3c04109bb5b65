// The floor under Sluice's per-request cost (issue 19): an HTTP server that reads an upload's
// body, drops it and answers 201 with a short JSON, and does nothing else: no parsing, no
// chain, no storage. `nio`: NIO's HTTP/1 pipeline and one channel handler, no task per
// connection or request. `hummingbird`: Hummingbird's HTTP/1 server with the same answer from
// its async responder, as Sluice's front end was built until 2026-12-07 (with Sluice's HTTP/1.0
// handling). `nio-task`: NIO's pipeline, the answer written from a task started per request, as
// Sluice's own front end does since. All read as Sluice does: 16 KiB first, up to 128 KiB.
// scripts/bench/small races any of them against node-busboy with FLOOR=<mode>.
//
// usage: front-end-floor nio|nio-task|hummingbird PORT
import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Sluice

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[2]), ["nio", "nio-task", "hummingbird"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: front-end-floor nio|nio-task|hummingbird PORT\n".utf8))
    exit(2)
}
let answer = #"{"files":[{"field":"file","size":0}]}"#
let reads = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 16 << 10, maximum: 128 << 10)

/// Sets the connection's reads as Sluice's do, for Hummingbird's pipeline.
final class ReadsAsSluice: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = Never

    func handlerAdded(context: ChannelHandlerContext) {
        _ = context.channel.setOption(ChannelOptions.recvAllocator, value: reads)
    }
}

/// Drops the body; at its end, answers 201 (from a task of its own when `inTask`) and keeps
/// the connection if the client asked to.
final class DropAndAnswer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private var keepAlive = true
    private var received = 0
    private let inTask: Bool

    init(inTask: Bool) { self.inTask = inTask }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            received = 0
        case .body(let bytes):
            received += bytes.readableBytes
        case .end where inTask:
            let keep = keepAlive, channel = context.channel
            Task {
                var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(answer.utf8.count)")])
                if !keep { headers.add(name: "Connection", value: "close") }
                let head = HTTPResponseHead(version: .http1_1, status: .created, headers: headers)
                try? await channel.eventLoop.flatSubmit {
                    channel.write(HTTPServerResponsePart.head(head), promise: nil)
                    channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: answer))), promise: nil)
                    return channel.writeAndFlush(HTTPServerResponsePart.end(nil))
                }.get()
                if !keep { channel.close(promise: nil) }
            }
        case .end:
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(answer.utf8.count)")])
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .created, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer)))), promise: nil)
            let keep = keepAlive, channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keep { channel.close(promise: nil) }
            }
        }
    }
}

if arguments[1].hasPrefix("nio") {
    let inTask = arguments[1] == "nio-task"
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 256)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.recvAllocator, value: reads)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(DropAndAnswer(inTask: inTask))
            }
        }
        .bind(host: "127.0.0.1", port: port).get()
    try await channel.closeFuture.get()
} else {
    let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [ReadsAsSluice(), HTTP10KeepAlive()], idleTimeout: .seconds(75))
    let server = try HTTPServerBuilder.http1(configuration: http1).buildServer(
        configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil, reuseAddress: true),
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
        logger: Logger(label: "floor"),
        responder: { request, writer, _ in
            var received = 0
            for try await bytes in request.body { received += bytes.readableBytes }
            var head = HTTPResponse(status: .created)
            head.headerFields[.contentType] = "application/json"
            head.headerFields[.contentLength] = "\(answer.utf8.count)"
            try await writer.write(response: head, body: .init(byteBuffer: ByteBuffer(string: answer)))
        })
    let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [], logger: Logger(label: "floor")))
    try await group.run()
}
