import Logging

extension Logger {
    func with(requestId: String) -> Logger {
        var logger = self
        logger[metadataKey: "request_id"] = "\(requestId)"
        return logger
    }
}
