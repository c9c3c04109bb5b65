import NIOCore

/// Tells the connection's handler, on its loop, when the request's task wants more of the body.
struct BodyDemand: NIOAsyncSequenceProducerDelegate {
    let handler: NIOLoopBound<ConnectionHandler>

    func produceMore() {
        handler.eventLoop.execute { handler.value.resumeReads() }
    }

    func didTerminate() {
        handler.eventLoop.execute { handler.value.resumeReads() }
    }
}
