import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Deliveries sent after the answer, by a few workers, each retried with backoff for its
/// route's `retryFor`. At most `capacity` wait: past that a delivery is dropped (counted and
/// logged), so a dead app never holds memory or other uploads. A Service: on graceful shutdown
/// it stops taking events and sends what waits while the server's shutdown time lasts.
final class BackgroundWebhooks: Service, Sendable {
    struct Job: Sendable {
        let event: WebhookEvent
        let route: String
        let config: WebhookConfig
        let signature: WebhookSignature
    }

    let capacity: Int
    let workers: Int
    private let client: HTTPClient
    private let metrics: ServerMetrics
    private let logger: Logger
    private let jobs: AsyncStream<Job>
    private let input: AsyncStream<Job>.Continuation
    private let waiting = Atomic<Int>(0)

    init(client: HTTPClient, metrics: ServerMetrics, logger: Logger, capacity: Int = 1000, workers: Int = 8) {
        self.client = client
        self.metrics = metrics
        self.logger = logger
        self.capacity = capacity
        self.workers = workers
        (jobs, input) = AsyncStream.makeStream(of: Job.self)
    }

    /// Queues `job`; false when `capacity` already wait.
    @discardableResult
    func enqueue(_ job: Job) -> Bool {
        guard waiting.add(1, ordering: .relaxed).newValue <= capacity else {
            waiting.subtract(1, ordering: .relaxed)
            metrics.webhook(route: job.route, mode: "background", outcome: "dropped")
            logger.error("webhook dropped: too many deliveries waiting", metadata: ["webhook_id": "\(job.event.id)", "route": "\(job.route)", "waiting": "\(capacity)"])
            return false
        }
        input.yield(job)
        return true
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        for await job in self.jobs {
                            self.waiting.subtract(1, ordering: .relaxed)
                            await self.deliver(job)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.input.finish()
        }
    }

    private func deliver(_ job: Job) async {
        let deadline = Date().addingTimeInterval(job.config.retryFor)
        var attempt = 0
        while true {
            let result = await WebhookDelivery.send(job.event, to: job.config.url, signature: job.signature, timeout: job.config.timeout, client: client)
            if result.succeeded {
                metrics.webhook(route: job.route, mode: "background", outcome: "delivered")
                return
            }
            metrics.webhook(route: job.route, mode: "background", outcome: "attempt_failed")
            logger.warning("webhook attempt failed", metadata: ["webhook_id": "\(job.event.id)", "route": "\(job.route)", "attempt": "\(attempt + 1)", "result": "\(result)"])
            let pause = WebhookDelivery.backoff(attempt: attempt)
            attempt += 1
            guard Date().addingTimeInterval(Double(pause.components.seconds)) < deadline, (try? await Task.sleep(for: pause)) != nil else {
                metrics.webhook(route: job.route, mode: "background", outcome: "failed")
                logger.error("webhook given up", metadata: ["webhook_id": "\(job.event.id)", "route": "\(job.route)", "attempts": "\(attempt)", "result": "\(result)"])
                return
            }
        }
    }
}
