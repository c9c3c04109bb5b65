import ArgumentParser
import Filters
import Foundation
import Logging
import Synchronization
import UnixSignals

/// `UploadServer --config sluice.yaml`
struct UploadServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "UploadServer",
        abstract: "Take file uploads over HTTP, run them through filter chains and stream them into S3.",
        discussion: """
            Environment: SLUICE_HOST and SLUICE_PORT override server.host and server.port; AWS_ACCESS_KEY_ID, \
            AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN override credentials in the config; AWS_REGION and \
            AWS_ENDPOINT_URL(_S3) apply when the config sets no region or endpoint; LOG_LEVEL sets the log level (info).
            """
    )

    @Option(name: .long, help: "Config file.")
    var config = "sluice.yaml"

    /// The server runs on Swift's task pool while the main thread waits. (An async main would
    /// park the main thread in dispatch_main's sigsuspend, which valgrind cannot run: this way
    /// the server can be profiled with callgrind.)
    func run(registry: FilterRegistry) throws {
        // Before any other thread exists: a thread that has malloc'd keeps its arena.
        MallocPolicy.apply()
        LocalTimeZone.readOnce()
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let command = self
        Task {
            do {
                try await command.serve(registry: registry)
                outcome.withLock { $0 = .success(()) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            finished.signal()
        }
        finished.wait()
        try outcome.withLock { $0 }?.get()
    }

    func serve(registry: FilterRegistry) async throws {
        Signals.restoreDefaults()
        let environment = ProcessInfo.processInfo.environment
        LoggingSystem.bootstrap { label in
            var handler = EscapingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
            return handler
        }
        do {
            var server = SluiceServer(config: try SluiceConfig.load(path: config, registry: registry), environment: environment)
            server.shutdownSignals = [.sigterm, .sigint]
            let descriptors = DescriptorLimit.raise(toServe: server.config.server.connectionLimits.total)
            if descriptors.limit < descriptors.needed {
                Logger(label: "sluice").warning(
                    "the process may open \(descriptors.limit) files (ulimit -n), fewer than maxConnections needs (\(descriptors.needed)): raise the hard limit, or lower maxConnections")
            }
            let host = (try? Settings.server(server.config.server, environment: environment).host) ?? "127.0.0.1"
            server.onListening = { address in
                let port = address.split(separator: ":").last.map(String.init) ?? "?"
                // One line on stdout with the URL, for people and for scripts that start the server.
                print("Sluice is listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/", terminator: "\n")
                fflush(nil)
            }
            try await server.run()
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("UploadServer: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as StartupError {
            FileHandle.standardError.write(Data("UploadServer: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}
