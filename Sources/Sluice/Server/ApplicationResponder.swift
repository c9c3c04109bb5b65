import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// A Hummingbird application's routes, served by Sluice beside its own (see
/// ``SluiceServer/mount(_:)``): the request goes to the application's responder with the context
/// Hummingbird's own server would make, and its response comes back to be written.
struct ApplicationResponder: Sendable {
    let respond: @Sendable (Request, any Channel, Logger) async -> Response

    init<Responder: HTTPResponder>(_ responder: Responder) where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        respond = { request, channel, logger in
            let context = Responder.Context(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            let response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                logger.error("the application's responder failed", metadata: ["error": "\(error)"])
                response = Response(status: .internalServerError)
            }
            return response
        }
    }
}
