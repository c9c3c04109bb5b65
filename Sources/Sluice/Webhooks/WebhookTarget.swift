import AsyncHTTPClient
import Filters
import Foundation
import Logging

/// A route's webhook: its config, signing key, and where deliveries go.
struct WebhookTarget: Sendable {
    let route: String
    let config: WebhookConfig
    let signature: WebhookSignature
    let client: HTTPClient
    let background: BackgroundWebhooks
    let metrics: ServerMetrics
    let logger: Logger

    /// The request's objects are stored: in `await` mode the app must take it before the
    /// client's 201, else the error to answer with (the objects are then removed).
    func stored(_ data: JSON) async throws(APIError) {
        guard config.events.contains("stored") else { return }
        let event = WebhookEvent(type: "upload.stored", data: data)
        guard config.mode == .await else {
            background.enqueue(BackgroundWebhooks.Job(event: event, route: route, config: config, signature: signature))
            return
        }
        var last = WebhookDelivery.Result.unreachable("not sent")
        for attempt in 0..<config.attempts {
            last = await WebhookDelivery.send(event, to: config.url, signature: signature, timeout: config.timeout, client: client)
            switch last {
            case .delivered:
                metrics.webhook(route: route, mode: "await", outcome: "delivered")
                return
            case .refused(let status, _) where (400..<500).contains(status) && status != 408 && status != 429:
                // The app said no: asking again will not change its mind.
                metrics.webhook(route: route, mode: "await", outcome: "refused")
                throw WebhookTarget.refusal(last, id: event.id)
            default:
                logger.warning("webhook attempt failed", metadata: ["webhook_id": "\(event.id)", "route": "\(route)", "attempt": "\(attempt + 1)", "result": "\(last)"])
                if attempt + 1 < config.attempts { try? await Task.sleep(for: WebhookDelivery.backoff(attempt: attempt)) }
            }
        }
        metrics.webhook(route: route, mode: "await", outcome: "failed")
        logger.error("webhook failed; the upload is undone", metadata: ["webhook_id": "\(event.id)", "route": "\(route)", "result": "\(last)"])
        throw WebhookTarget.refusal(last, id: event.id)
    }

    /// A request refused by a filter, when the route asks for `rejected` events: sent after the answer.
    func rejected(_ data: JSON) {
        guard config.events.contains("rejected") else { return }
        background.enqueue(BackgroundWebhooks.Job(event: WebhookEvent(type: "upload.rejected", data: data), route: route, config: config, signature: signature))
    }

    /// The client's error: the app's own when it answered 4xx with a JSON error, else 502.
    static func refusal(_ result: WebhookDelivery.Result, id: String) -> APIError {
        if case .refused(let status, let body) = result, (400..<500).contains(status),
            let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        {
            let error = json["error"] as? String ?? "refused_by_app"
            let message = json["message"] as? String ?? "the application refused the upload"
            return APIError(status: status, error: error, message: message)
        }
        let reason: String =
            switch result {
            case .refused(let status, _): "it answered HTTP \(status)"
            case .unreachable(let why): "it could not be reached (\(why))"
            case .delivered: "delivered"
            }
        return APIError(status: 502, error: "webhook_failed", message: "the application did not take the upload (webhook \(id): \(reason)); nothing was kept")
    }
}
