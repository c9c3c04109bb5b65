import Filters
import Foundation
import S3

/// A config's storage, opened: the sink uploads go to, and how to close it.
public struct OpenedStorage: Sendable {
    public let sink: any Sink
    /// `s3://bucket at endpoint`, for start-up messages.
    public let description: String
    /// The S3 client, for callers that need more calls (tests, tools); nil for other sinks.
    public let s3: S3Client?

    /// Releases connections; call once when done.
    public func shutdown() async {
        try? await s3?.shutdown()
    }
}

extension StorageConfig {
    /// Builds the sink. For S3 this resolves credentials, region and endpoint now, so that a
    /// missing piece is a clear error at start-up rather than at the first upload.
    public func open(environment: [String: String] = ProcessInfo.processInfo.environment, budget: MemoryBudget? = nil) throws(S3SetupError) -> OpenedStorage {
        switch kind {
        case .discard:
            return OpenedStorage(sink: DiscardSink(), description: "discard (bytes are counted and dropped)", s3: nil)
        case .s3(let settings):
            let client = try S3Client(S3Client.Configuration(settings: settings, environment: environment))
            let sink = S3Sink(client: client, settings: settings, budget: budget)
            return OpenedStorage(sink: sink, description: "s3://\(settings.bucket) at \(client.configuration.endpoint), region \(client.configuration.region), credentials \(client.configuration.credentials)", s3: client)
        }
    }
}

extension S3Client.Configuration {
    /// Endpoint, region and credentials from settings, then the environment (see ``CredentialChain``).
    public init(settings: S3UploadSettings, environment: [String: String]) throws(S3SetupError) {
        let credentials = try CredentialChain.resolve(configured: settings.credentials, environment: environment)
        let endpointURL = settings.endpoint ?? CredentialChain.endpoint(environment: environment)
        let region = CredentialChain.region(configured: settings.region, environment: environment)
        let endpoint: S3Endpoint
        if let endpointURL {
            endpoint = try S3Endpoint.custom(endpointURL, pathStyle: settings.pathStyle ?? true)
        } else {
            guard let region else {
                throw S3SetupError("no region for bucket \(settings.bucket): set storage.region, AWS_REGION or AWS_DEFAULT_REGION")
            }
            var aws = S3Endpoint.aws(region: region)
            aws.pathStyle = settings.pathStyle ?? false
            endpoint = aws
        }
        self.init(endpoint: endpoint, region: region ?? "us-east-1", credentials: credentials)
        signPayload = settings.signPayload
        retry.maxAttempts = settings.maxAttempts
        idleTimeout = settings.timeout
    }
}
