import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Holds back the head and the latest buffer, so that a body's last buffer, or its only one,
/// leaves with the end.
struct ChannelBodyWriter: ResponseBodyWriter {
    let channel: any Channel
    private var head: HTTPResponse?
    private var held: ByteBuffer?

    init(channel: any Channel, head: HTTPResponse) {
        self.channel = channel
        self.head = head
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        if let held { try await send([.body(held)]) }
        held = buffer
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        var parts: [HTTPResponsePart] = []
        if let held { parts.append(.body(held)) }
        parts.append(.end(trailingHeaders))
        try await send(parts)
    }

    private mutating func send(_ parts: [HTTPResponsePart]) async throws {
        let all = (head.map { [HTTPResponsePart.head($0)] } ?? []) + parts
        head = nil
        let channel = channel
        try await channel.eventLoop.flatSubmit {
            for part in all.dropLast() { channel.write(part, promise: nil) }
            return channel.writeAndFlush(all.last!)
        }.get()
    }
}
