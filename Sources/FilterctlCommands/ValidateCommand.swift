import ArgumentParser
import Filters
import Foundation
import Sluice
import Storage

/// `filterctl validate [CONFIG]`: checks a config and summarizes it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config file and summarize its storage, routes and chains."
    )

    @Argument(help: "Config file (default: ./sluice.yaml).")
    var config: String?

    func run() throws {
        let path = config ?? ConfigOptions.localConfig
        if config == nil, !FileManager.default.fileExists(atPath: path) {
            throw CLIError(message: "no config given and no ./\(ConfigOptions.localConfig) here")
        }
        let loaded = try SluiceConfig.load(path: path, registry: Filterctl.registry)
        print(ValidateCommand.summary(loaded))
        for warning in loaded.warnings {
            FileHandle.standardError.write("warning: \(warning)\n")
        }
    }

    static func summary(_ config: SluiceConfig) -> String {
        var lines = ["\(config.file): OK (\(config.chains.count) chain\(config.chains.count == 1 ? "" : "s"), \(config.routes.count) route\(config.routes.count == 1 ? "" : "s"))"]
        if let storage = config.storage {
            lines.append("storage: \(storage.kind.summary); keys \(storage.keyTemplate)")
        } else {
            lines.append("storage: none (filterctl test does not need one; UploadServer does)")
        }
        lines.append("server: \(config.server.host):\(config.server.port), up to \(config.server.maxConcurrentUploads) uploads, \(ByteSize.format(config.server.maxBufferedBytes)) of part buffers")
        if !config.routes.isEmpty {
            lines.append("routes:")
            for route in config.routes {
                var notes = ["max \(route.maxFiles) file\(route.maxFiles == 1 ? "" : "s")"]
                if let limit = route.maxRequestBytes { notes.append("request max \(ByteSize.format(limit))") }
                if let key = route.key { notes.append("keys \(key)") }
                if let env = route.bearerTokensEnv { notes.append("bearer tokens from $\(env)") }
                lines.append("  POST \(route.path), PUT \(route.path)/<filename> -> \(route.chain) (\(notes.joined(separator: ", ")))")
            }
        }
        lines.append("chains:")
        for chain in config.chains {
            lines.append("  \(chain.name):")
            let width = (chain.steps.map(\.name.count).max() ?? 0) + 2
            for (i, step) in chain.steps.enumerated() {
                lines.append("    \(i + 1). \(step.name.padding(width))\(step.summary)")
            }
        }
        if !config.warnings.isEmpty { lines.append("\(config.warnings.count) warning\(config.warnings.count == 1 ? "" : "s") (on stderr)") }
        return lines.joined(separator: "\n")
    }
}

extension StorageConfig.Kind {
    var summary: String {
        switch self {
        case .discard: "discard (bytes are counted and dropped)"
        case .s3(let s3):
            "s3://\(s3.bucket) at \(s3.endpoint ?? "AWS (or $AWS_ENDPOINT_URL_S3)"), parts of \(ByteSize.format(Int64(s3.partSize))), \(s3.concurrency) in flight, checksum \(s3.checksum.rawValue)"
        }
    }
}
