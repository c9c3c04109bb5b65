import ArgumentParser
import Filters
import Foundation

/// `filterctl test FILE...`: what the server would do with each file.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run files through a chain and report what the server would do with them."
    )

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var declared: DeclaredOptions

    @Flag(name: .long, help: "One JSON object per file, one per line.")
    var json = false

    @Option(name: .long, help: "Write the bytes that would be stored to PATH (a directory when testing several files).")
    var output: String?

    @Argument(help: "Files to test.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one file") }
    }

    func run() async throws {
        let config = try configOptions.load()
        let chain = try configOptions.selectChain(in: config)
        let sink = try outputSink()
        try await FileRun.runAll(files, json: json, format: TestReport.text, jsonObject: TestReport.json) { path in
            try await FileRun.run(path, chain: chain, sink: sink, keyTemplate: nil, contentType: declared.contentType, filename: declared.filename)
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

/// `--content-type` and `--filename`: what the client declares.
struct DeclaredOptions: ParsableArguments {
    @Option(name: .long, help: "Declared Content-Type (default: what a browser sends for the file's extension).")
    var contentType: String?

    @Option(name: .long, help: "Filename the client declares (default: the file's own name).")
    var filename: String?
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
