import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// One connection's requests, on its event loop: each request's head starts a task that answers
/// it, and its body flows to that task through a stream that stops the connection's reads while
/// the task is behind. No task waits on the connection between requests. NIO's pipelining
/// handler in front holds the next request back until the answer before it has ended.
final class ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    typealias Responder = @Sendable (Request, ResponseSink) async -> Void
    typealias BodyProducer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDemand
    >

    private let responder: Responder
    /// Where a request's task starts, for the server to cancel it.
    private let tasks: RequestTasks
    /// The body of the request being read; nil between requests and once it ended.
    private var body: BodyProducer.Source?
    /// Body parts of the current read loop, handed over together when it completes: one
    /// wake-up of the task for several reads.
    private var received: [ByteBuffer] = []
    /// The request's task wants no more for now: a read NIO asks for waits.
    private var readsHeld = false
    private var readWaiting = false
    /// The request being read or answered, counted from 1: an answer's end that comes after
    /// the next request's head (NIO's pipelining handler lets that head in as the end is
    /// written) is not the current request's.
    private var current = 0
    /// The current request's task is answering it.
    private var answering = false
    /// No request after the current one is served: it or its answer said `Connection: close`,
    /// or the input ended or failed; the connection closes once the answer is written.
    private var closing = false
    /// Parts of a request that came after `closing` was set, dropped to their end.
    private var ignoringRequest = false
    private var context: ChannelHandlerContext?

    init(responder: @escaping Responder, tasks: RequestTasks) {
        self.responder = responder
        self.tasks = tasks
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if closing {
                ignoringRequest = true
                return
            }
            current += 1
            answering = true
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let demand = BodyDemand(handler: handler)
            let producer = BodyProducer.makeSequence(
                backPressureStrategy: .init(lowWatermark: 2, highWatermark: 10), finishOnDeinit: false, delegate: demand)
            body = producer.source
            let request = Request(head: head, body: RequestBody(asyncSequence: producer.sequence))
            if head.headerFields.askToClose { closing = true }
            let channel = context.channel, responder = self.responder
            let number = current
            tasks.start {
                await responder(request, ResponseSink(channel: channel))
                handler.eventLoop.execute { handler.value.answered(request: number) }
            }
        case .body(let buffer):
            guard body != nil, !ignoringRequest else { return }
            received.append(buffer)
        case .end:
            ignoringRequest = false
            handOver()
            body?.finish()
            body = nil
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        handOver()
        context.fireChannelReadComplete()
    }

    /// Gives the task the body parts read so far.
    private func handOver() {
        guard !received.isEmpty else { return }
        defer { received.removeAll(keepingCapacity: true) }
        guard let body else { return }
        switch body.yield(contentsOf: received) {
        case .produceMore: break
        case .stopProducing: readsHeld = true
        case .dropped: self.body = nil
        }
    }

    /// An answer that says `Connection: close` is the connection's last.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data), head.status.kind != .informational, head.headerFields.askToClose {
            closing = true
        }
        context.write(data, promise: promise)
    }

    /// Request `number`'s task is done: if it is the current one, the connection closes now if
    /// it was to close after it.
    func answered(request number: Int) {
        guard number == current else { return }
        answering = false
        if closing, let context { context.close(promise: nil) }
    }

    func read(context: ChannelHandlerContext) {
        if readsHeld {
            readWaiting = true
        } else {
            context.read()
        }
    }

    /// The task wants more of the body, or dropped it: reads go on.
    func resumeReads() {
        readsHeld = false
        if readWaiting, let context {
            readWaiting = false
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            endInput(context: context, error: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        endInput(context: context, error: error)
    }

    /// Nothing more comes in: a body being read ends (with the error, if any) and its answer
    /// is still written; between requests, the connection closes, after a 400 for a request
    /// that could not be parsed.
    private func endInput(context: ChannelHandlerContext, error: (any Error)?) {
        closing = true
        handOver()
        if let body {
            if let error { body.finish(error) } else { body.finish() }
            self.body = nil
        }
        guard !answering else { return }
        if error is HTTPParserError {
            let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handOver()
        body?.finish()
        body = nil
        context.fireChannelInactive()
    }
}
