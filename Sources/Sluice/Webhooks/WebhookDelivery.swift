import AsyncHTTPClient
import Foundation
import NIOCore

/// One POST of an event to the app, signed, with a deadline.
enum WebhookDelivery {
    enum Result: Sendable {
        case delivered
        /// The app answered, not 2xx; its body when it is short.
        case refused(status: Int, body: String)
        case unreachable(String)

        var succeeded: Bool { if case .delivered = self { true } else { false } }
    }

    static func send(_ event: WebhookEvent, to url: String, signature: WebhookSignature, timeout: Double, client: HTTPClient) async -> Result {
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "Sluice-Webhooks")
        request.headers.add(name: "webhook-id", value: event.id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signature.sign(id: event.id, timestamp: timestamp, body: event.body))
        request.body = .bytes(ByteBuffer(bytes: event.body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 64 << 10)
            guard (200..<300).contains(response.status.code) else {
                return .refused(status: Int(response.status.code), body: String(buffer: body))
            }
            return .delivered
        } catch {
            return .unreachable("\(error)")
        }
    }

    /// Exponential backoff with full jitter: up to 0.5 s, 1 s, 2 s, ... capped at 60 s.
    static func backoff(attempt: Int) -> Duration {
        let ceiling = Swift.min(60.0, 0.5 * pow(2, Double(attempt)))
        return .milliseconds(Int64(Double.random(in: 0.1...1) * ceiling * 1000))
    }
}
