import Testing

@testable import Sluice

@Suite struct ServerMetricsTests {
    /// A counter and a histogram made once per label set still count every upload, each
    /// under its own labels.
    @Test func everyUploadIsCountedUnderItsLabels() {
        let metrics = ServerMetrics(budget: nil)
        for _ in 0..<3 { metrics.finished(route: "/a", outcome: "stored", duration: .milliseconds(10)) }
        metrics.finished(route: "/a", outcome: "rejected", duration: .milliseconds(10))
        metrics.finished(route: "/b", outcome: "stored", duration: .seconds(2))
        metrics.received(route: "/a", bytes: 100)
        metrics.received(route: "/a", bytes: 23)
        let text = String(decoding: metrics.render(), as: UTF8.self)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("sluice_uploads_total{route=\"/a\",outcome=\"stored\"} 3"))
        #expect(lines.contains("sluice_uploads_total{route=\"/a\",outcome=\"rejected\"} 1"))
        #expect(lines.contains("sluice_uploads_total{route=\"/b\",outcome=\"stored\"} 1"))
        #expect(lines.contains("sluice_upload_duration_seconds_count{route=\"/a\"} 4"))
        #expect(lines.contains("sluice_upload_duration_seconds_count{route=\"/b\"} 1"))
        #expect(lines.contains("sluice_bytes_received_total{route=\"/a\"} 123"))
    }
}
