import Filters
import Foundation
import Storage

/// One notification: `{"type", "timestamp", "data"}`, with the id the app can deduplicate by.
struct WebhookEvent: Sendable {
    let id: String
    let type: String
    let timestamp: Date
    let body: [UInt8]

    init(type: String, data: JSON, now: Date = Date()) {
        id = "msg_" + UUID.random().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        self.type = type
        timestamp = now
        let when = ISO8601DateFormatter().string(from: now)
        body = Array(JSON.object([("type", .string(type)), ("timestamp", .string(when)), ("data", data)]).text.utf8)
    }
}
