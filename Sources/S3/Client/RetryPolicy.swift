import Checksums

/// How failed requests are tried again: exponential backoff with full jitter.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all, the first included.
    public var maxAttempts: Int
    /// The first backoff's ceiling; it doubles with each retry.
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The pause before try number `attempt + 1`: random in [0, min(max, base * 2^(attempt-1))].
    /// Full jitter keeps many clients that failed together from retrying together.
    public func delay(after attempt: Int) -> Duration {
        let ceiling = Swift.min(maxDelay, baseDelay * (1 << Swift.min(attempt - 1, 20)))
        let nanos = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...Swift.max(nanos, 0)))
    }
}
