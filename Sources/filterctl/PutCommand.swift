import ArgumentParser
import Filters
import Foundation

/// `filterctl put FILE...`: the server's exact path from the command line: the chain, then
/// the configured storage.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Run files through a chain into the configured storage (S3) and report where they went."
    )

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var declared: DeclaredOptions

    @Flag(name: .long, help: "One JSON object per file, one per line: test's keys plus bucket, key, etag, size, parts.")
    var json = false

    @Argument(help: "Files to store.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file") }
    }

    func run() async throws {
        let config = try configOptions.load()
        let chain = try configOptions.selectChain(in: config)
        guard let storageConfig = config.storage else {
            throw CLIError(message: "\(config.file) has no storage: section; put needs one (type: s3 or discard)")
        }
        let storage: Storage
        do {
            storage = try storageConfig.open()
        } catch {
            throw CLIError(message: "\(config.file): storage: \(error.message)")
        }
        // The key template of the route that runs this chain, else the storage's.
        let keyTemplate = config.routes.first { $0.chain == chain.name }?.key ?? storageConfig.keyTemplate
        do {
            try await FileRun.runAll(files, json: json, format: PutCommand.text, jsonObject: PutCommand.json) { path in
                try await FileRun.run(path, chain: chain, sink: storage.sink, keyTemplate: keyTemplate, contentType: declared.contentType, filename: declared.filename)
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
