import Filters
import Prometheus
import S3
import Storage
import Synchronization

/// The server's Prometheus metrics, rendered at GET /metrics.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let inFlight: Gauge
    private let partBuffers: Gauge
    private let budget: MemoryBudget?
    /// Counters and histograms by metric and label values, each made once: the registry builds
    /// the metric's name and looks it up again on every make, six times per upload.
    private let counters = Mutex<[MetricKey: Counter]>([:])
    private let histograms = Mutex<[MetricKey: DurationHistogram]>([:])

    private struct MetricKey: Hashable {
        let metric: String
        let labels: [String]
    }

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
    static var connectionsRefused: MetricNameDescriptor { name("connections_refused", unit: "total", "Connections closed as they were accepted, by the limit they were over (server_full, client_full)") }
    static var s3Duration: MetricNameDescriptor { name("s3_request_duration", unit: "seconds", "S3 request latency by operation") }

    func started() { inFlight.increment() }

    private func counter(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> Counter {
        let key = MetricKey(metric: descriptor.metricName, labels: labels.map(\.1))
        if let counter = counters.withLock({ $0[key] }) { return counter }
        let counter = registry.makeCounter(descriptor: descriptor, labels: labels)
        counters.withLock { $0[key] = counter }
        return counter
    }

    private func histogram(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)]) -> DurationHistogram {
        let key = MetricKey(metric: descriptor.metricName, labels: labels.map(\.1))
        if let histogram = histograms.withLock({ $0[key] }) { return histogram }
        let histogram = registry.makeDurationHistogram(descriptor: descriptor, labels: labels, buckets: Self.durationBuckets)
        histograms.withLock { $0[key] = histogram }
        return histogram
    }

    func finished(route: String, outcome: String, duration: Duration) {
        inFlight.decrement()
        counter(Self.uploads, [("route", route), ("outcome", outcome)]).increment()
        histogram(Self.uploadDuration, [("route", route)]).record(duration)
    }

    func received(route: String, bytes: Int64) {
        counter(Self.bytesReceived, [("route", route)]).increment(by: bytes)
    }

    func webhook(route: String, mode: String, outcome: String) {
        counter(Self.webhooks, [("route", route), ("mode", mode), ("outcome", outcome)]).increment()
    }

    func stored(route: String, bytes: Int64) {
        counter(Self.bytesStored, [("route", route)]).increment(by: bytes)
    }

    func connectionRefused(_ refusal: ClientLimiter.Refusal) {
        counter(Self.connectionsRefused, [("limit", refusal.rawValue)]).increment()
    }

    func rejected(filter: String, code: String) {
        counter(Self.rejections, [("filter", filter), ("code", code)]).increment()
    }

    /// Records every S3 request the client makes.
    func observe(_ client: S3Client) {
        client.addObserver { [self] event in
            let status = event.status.map(String.init) ?? "none"
            counter(Self.s3Requests, [("operation", event.operation), ("status", status)]).increment()
            histogram(Self.s3Duration, [("operation", event.operation)]).record(event.duration)
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
    /// Seconds for a message: `20`, or `1.5`.
    var secondsText: String {
        let seconds = inSeconds
        return seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
