import ArgumentParser
import Filters
import Foundation
import Sluice
import Storage

/// `filterctl test FILE...`: what the server would do with each file.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run files through a chain and report what the server would do with them."
    )

    @OptionGroup var common: FileCommandOptions

    @Option(name: .long, help: "Write the bytes that would be stored to PATH (a directory when testing several files).")
    var output: String?

    var files: [String] { common.files }

    func run() async throws {
        let config = try common.config.load()
        let chain = try common.config.selectChain(in: config)
        let sink = try outputSink()
        let resources = FilterResources()
        defer { resources.shutdown() }
        try await common.runAll(format: TestReport.text, jsonObject: TestReport.json) { path in
            try await common.run(path, chain: chain, sink: sink, keyTemplate: nil, resources: resources)
        }
    }

    func outputSink() throws -> any Sink {
        guard let output else { return DiscardSink() }
        if files.count == 1 { return FileSink(.file(output)) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CLIError(message: "--output \(output): with several files, --output must be a directory")
        }
        return FileSink(.directory(output))
    }
}

/// What `test` and `put` share: the config and chain, what the client declares, JSON output,
/// and the files.
struct FileCommandOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .long, help: "Declared Content-Type (default: what a browser sends for the file's extension).")
    var contentType: String?

    @Option(name: .long, help: "Filename the client declares (default: the file's own name).")
    var filename: String?

    @Flag(name: .long, help: "One JSON object per file, one per line.")
    var json = false

    @Argument(help: "Files to run.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file") }
    }

    func run(_ path: String, chain: Chain, sink: any Sink, keyTemplate: KeyTemplate?, resources: FilterResources) async throws -> FileResult {
        try await FileRun.run(path, chain: chain, sink: sink, keyTemplate: keyTemplate, contentType: contentType, filename: filename, resources: resources)
    }

    func runAll(format: (String, FileResult) -> String, jsonObject: (String, FileResult) -> JSON, each: (String) async throws -> FileResult) async throws {
        try await FileRun.runAll(files, json: json, format: format, jsonObject: jsonObject, each: each)
    }
}
