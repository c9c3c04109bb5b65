import Filters
import Prometheus
import S3
import Storage

/// The server's Prometheus metrics, rendered at GET /metrics.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let inFlight: Gauge
    private let partBuffers: Gauge
    private let budget: MemoryBudget?

    init(budget: MemoryBudget?) {
        self.budget = budget
        inFlight = registry.makeGauge(descriptor: Self.name("uploads_in_flight", "Upload requests being received now"))
        partBuffers = registry.makeGauge(descriptor: Self.name("part_buffer_bytes", "Bytes held in S3 part buffers across uploads, in use or idle for reuse (server.maxBufferedBytes)"))
    }

    static func name(_ metric: String, unit: String = "", _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sluice", metricName: metric, unitName: unit, helpText: help)
    }

    static var uploads: MetricNameDescriptor { name("uploads", unit: "total", "Upload requests by route and outcome") }
    static var uploadDuration: MetricNameDescriptor { name("upload_duration", unit: "seconds", "Time from request to answer of upload requests") }
    static var bytesReceived: MetricNameDescriptor { name("bytes_received", unit: "total", "File bytes received") }
    static var bytesStored: MetricNameDescriptor { name("bytes_stored", unit: "total", "Bytes stored (after transforms)") }
    static var rejections: MetricNameDescriptor { name("rejections", unit: "total", "Uploads refused by a filter, by filter and code") }
    static var s3Requests: MetricNameDescriptor { name("s3_requests", unit: "total", "S3 requests by operation and HTTP status (none: no answer)") }
    static var webhooks: MetricNameDescriptor { name("webhook_deliveries", unit: "total", "Webhook deliveries by route, mode and outcome (delivered, refused, attempt_failed, failed, dropped)") }
    static var s3Duration: MetricNameDescriptor { name("s3_request_duration", unit: "seconds", "S3 request latency by operation") }

    func started() { inFlight.increment() }

    func finished(route: String, outcome: String, duration: Duration) {
        inFlight.decrement()
        registry.makeCounter(descriptor: Self.uploads, labels: [("route", route), ("outcome", outcome)]).increment()
        registry.makeDurationHistogram(descriptor: Self.uploadDuration, labels: [("route", route)], buckets: Self.durationBuckets).record(duration)
    }

    func received(route: String, bytes: Int64) {
        registry.makeCounter(descriptor: Self.bytesReceived, labels: [("route", route)]).increment(by: bytes)
    }

    func webhook(route: String, mode: String, outcome: String) {
        registry.makeCounter(descriptor: Self.webhooks, labels: [("route", route), ("mode", mode), ("outcome", outcome)]).increment()
    }

    func stored(route: String, bytes: Int64) {
        registry.makeCounter(descriptor: Self.bytesStored, labels: [("route", route)]).increment(by: bytes)
    }

    func rejected(filter: String, code: String) {
        registry.makeCounter(descriptor: Self.rejections, labels: [("filter", filter), ("code", code)]).increment()
    }

    /// Records every S3 request the client makes.
    func observe(_ client: S3Client) {
        client.addObserver { [registry] event in
            let status = event.status.map(String.init) ?? "none"
            registry.makeCounter(descriptor: Self.s3Requests, labels: [("operation", event.operation), ("status", status)]).increment()
            registry.makeDurationHistogram(descriptor: Self.s3Duration, labels: [("operation", event.operation)], buckets: Self.durationBuckets).record(event.duration)
        }
    }

    /// Prometheus text format.
    func render() -> [UInt8] {
        partBuffers.set(Int64(budget?.used ?? 0))
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }

    static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
    ]
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1e3 + Double(components.attoseconds) / 1e15 }

    /// Seconds for a message: `20`, or `1.5`.
    var secondsText: String {
        let seconds = milliseconds / 1000
        return seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
