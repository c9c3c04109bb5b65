extension UploadHandler {
    /// What happened to one request, for the answer, the log line and the metrics.
    struct Outcome {
        var reply: Reply
        var files: [StoredFile] = []
        var error: APIError?
        var kind: Kind
        /// The upload token's `sub`, for the log line.
        var subject: String?

        /// How the request ended; the raw value is the `outcome` label of the log line and of
        /// `sluice_uploads_total`.
        enum Kind: String, Sendable {
            case stored
            /// A resumable upload's request that ended with the upload unfinished, as planned.
            case paused
            case rejected
            case malformed
            case tooLarge = "too_large"
            case tooSlow = "too_slow"
            case tooManyUploads = "too_many_uploads"
            case unauthorized
            case forbidden
            case overloaded
            case failed
            case disconnected
            case cancelled
        }
    }
}
