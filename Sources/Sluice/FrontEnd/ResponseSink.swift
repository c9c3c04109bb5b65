import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Where an answer goes: the connection's channel, written from the request's task. A body of
/// one buffer goes out with its head and end in one flush; a longer one waits for the
/// connection to take each buffer before handing it the next.
struct ResponseSink: Sendable {
    /// The request's connection: its address, and closing it.
    let channel: any Channel

    /// `100 Continue` and other 1xx heads, flushed at once.
    func writeInformationalHead(_ head: HTTPResponse) async throws {
        try await channel.writeAndFlush(HTTPResponsePart.head(head))
    }

    func write(response head: HTTPResponse, body: ResponseBody) async throws {
        try await body.write(ChannelBodyWriter(channel: channel, head: head))
    }
}
