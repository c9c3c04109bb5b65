import ArgumentParser
import Filters
import Foundation
import Logging
import Synchronization

/// `UploadServer --config sluice.yaml`
@main
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
    func run() throws {
        // Before any other thread exists: a thread that has malloc'd keeps its arena.
        MallocPolicy.apply()
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let command = self
        Task {
            do {
                try await command.serve()
                outcome.withLock { $0 = .success(()) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            finished.signal()
        }
        finished.wait()
        try outcome.withLock { $0 }?.get()
    }

    func serve() async throws {
        Signals.restoreDefaults()
        let environment = ProcessInfo.processInfo.environment
        LoggingSystem.bootstrap { label in
            var handler = EscapingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
            return handler
        }
        let logger = Logger(label: "sluice")
        do {
            let loaded = try SluiceConfig.load(path: config, registry: UploadServerCommand.registry)
            let server = try Settings.server(loaded.server, environment: environment)
            guard let storageConfig = loaded.storage else {
                throw StartupError("\(config): no storage: section; the server needs to know where uploads go (type: s3, or discard)")
            }
            guard !loaded.routes.isEmpty else { throw StartupError("\(config): no routes: nothing to upload to") }
            for warning in loaded.warnings { logger.warning("\(warning)") }
            let budget = MemoryBudget(limit: Int(server.maxBufferedBytes), startTimeout: .milliseconds(Int64(server.memoryWaitTimeout * 1000)))
            let storage: Storage
            do {
                storage = try storageConfig.open(environment: environment, budget: budget)
            } catch {
                throw StartupError("\(config): storage: \(error.message)")
            }
            try await Settings.checkStorage(storage, config: storageConfig, logger: logger)
            var sluice = SluiceServer(config: loaded, server: server, storage: storage, budget: budget, environment: environment, logger: logger)
            let host = server.host
            sluice.onListening = { address in
                let port = address.split(separator: ":").last.map(String.init) ?? "?"
                // One line on stdout with the URL, for people and for scripts that start the server.
                print("Sluice is listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/", terminator: "\n")
                fflush(nil)
                logger.info("listening", metadata: ["address": "\(address)", "storage": "\(storage.description)", "routes": "\(loaded.routes.map(\.path))"])
            }
            do {
                try await sluice.run()
            } catch {
                await storage.shutdown()
                throw error
            }
            await storage.shutdown()
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("UploadServer: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as StartupError {
            FileHandle.standardError.write(Data("UploadServer: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// The filters configs may name. A build with custom filters registers them here.
    static let registry = FilterRegistry.standard
}

struct StartupError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
