import Filters
import Logging

/// One structured log line per upload request.
enum UploadLog {
    static func record(_ logger: Logger, requestId: String, route: String, method: String, outcome: UploadHandler.Outcome, received: Int64, duration: Duration) {
        var metadata: Logger.Metadata = [
            "request_id": "\(requestId)", "route": "\(route)", "method": "\(method)", "outcome": "\(outcome.kind.rawValue)",
            "status": "\(outcome.reply.status.code)", "bytes_received": "\(received)",
            "duration_ms": "\(Int(duration.inMilliseconds.rounded()))",
        ]
        if let subject = outcome.subject { metadata["sub"] = "\(subject)" }
        if !outcome.files.isEmpty {
            metadata["keys"] = .array(outcome.files.map { .string($0.object.key) })
            metadata["size"] = "\(outcome.files.reduce(0) { $0 + $1.object.size })"
        }
        if let error = outcome.error {
            metadata["error"] = "\(error.error)"
            metadata["message"] = "\(error.message)"
            if let filter = error.filter { metadata["filter"] = "\(filter)" }
            if let file = error.file { metadata["file"] = "\(file)" }
        }
        let level: Logger.Level = outcome.kind == .stored ? .info : (outcome.reply.status.code >= 500 ? .error : .notice)
        logger.log(level: level, "upload", metadata: metadata)
    }
}
