import Filters
import Foundation
import Logging
import S3
import Storage

/// What the environment changes in the config, and the start-up check of the storage.
enum Settings {
    /// SLUICE_HOST and SLUICE_PORT override server.host and server.port.
    static func server(_ configured: ServerConfig, environment: [String: String]) throws -> ServerConfig {
        var server = configured
        if let host = environment["SLUICE_HOST"], !host.isEmpty { server.host = host }
        if let text = environment["SLUICE_PORT"], !text.isEmpty {
            guard let port = Int(text), (0...65535).contains(port) else { throw StartupError("SLUICE_PORT=\(text) is not a port number") }
            server.port = port
        }
        return server
    }

    /// Finds a wrong bucket, endpoint or key at start-up rather than at the first upload.
    static func checkStorage(_ storage: OpenedStorage, config: StorageConfig) async throws {
        guard let client = storage.s3, case .s3(let settings) = config.kind else { return }
        do {
            try await client.headBucket(settings.bucket)
        } catch let error as S3Error {
            let hint =
                switch error.status {
                case 403: " (check the credentials: \(client.configuration.credentials))"
                case 404: " (no such bucket at \(client.configuration.endpoint))"
                case 301, 307, 400: " (check the region: \(client.configuration.region))"
                default: ""
                }
            throw StartupError("storage: bucket \(settings.bucket) is not usable: \(error.status) \(error.code)\(hint)")
        } catch let error as S3ConnectionError {
            throw StartupError("storage: \(client.configuration.endpoint) does not answer: \(error.reason)")
        }
    }
}

/// Processes started by some parents (test runners, supervisors) inherit blocked or ignored
/// SIGTERM/SIGINT; the graceful shutdown needs them delivered.
enum Signals {
    static func restoreDefaults() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
