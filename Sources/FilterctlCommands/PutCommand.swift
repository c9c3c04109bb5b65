import ArgumentParser
import Filters
import Foundation
import S3
import Sluice
import Storage

/// `filterctl put FILE...`: the server's exact path from the command line: the chain, then
/// the configured storage. `--json` adds bucket, key, etag, size and parts to test's keys.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Run files through a chain into the configured storage (S3) and report where they went."
    )

    @OptionGroup var common: FileCommandOptions

    func run() async throws {
        let config = try common.config.load()
        let chain = try common.config.selectChain(in: config)
        guard let storageConfig = config.storage else {
            throw CLIError(message: "\(config.file) has no storage: section; put needs one (type: s3 or discard)")
        }
        let storage: OpenedStorage
        do {
            storage = try storageConfig.open()
        } catch {
            throw CLIError(message: "\(config.file): storage: \(error.message)")
        }
        // The key template of the route that runs this chain, else the storage's.
        let keyTemplate = config.routes.first { $0.chain == chain.name }?.key ?? storageConfig.keyTemplate
        let resources = FilterResources()
        defer { resources.shutdown() }
        do {
            try await common.runAll(format: PutCommand.text, jsonObject: PutCommand.json) { path in
                try await common.run(path, chain: chain, sink: storage.sink, keyTemplate: keyTemplate, resources: resources)
            }
        } catch {
            await storage.shutdown()
            throw error
        }
        await storage.shutdown()
    }

    static func json(file: String, _ result: FileResult) -> JSON {
        guard case .object(var members) = TestReport.json(file: file, result) else { return .null }
        let stored = result.stored
        members += [
            ("bucket", .string(stored?.bucket)), ("key", .string(stored?.key)), ("etag", .string(stored?.etag)),
            ("size", stored.map { .int($0.size) } ?? .null), ("parts", stored.map { .int(Int64($0.parts)) } ?? .null),
        ]
        return .object(members)
    }

    static func text(file: String, _ result: FileResult) -> String {
        var text = TestReport.text(file: file, result)
        if let stored = result.stored {
            let place = stored.bucket.map { "s3://\($0)/\(stored.key)" } ?? stored.key
            text += "\n  stored         \(place) (\(stored.size) bytes, \(stored.parts) part\(stored.parts == 1 ? "" : "s")\(stored.etag.map { ", etag \($0)" } ?? ""))"
        }
        return text
    }
}
