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

    @Option(name: .long, help: "Declared Content-Type (default: what a browser sends for the file's extension).")
    var contentType: String?

    @Option(name: .long, help: "Filename the client declares (default: the file's own name).")
    var filename: String?

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
        var anyRejected = false, anyFailed = false
        for path in files {
            do {
                let result = try await test(path, chain: chain, sink: sink)
                anyRejected = anyRejected || !result.report.accepted
                print(json ? TestReport.json(file: path, result).text : TestReport.text(file: path, result))
            } catch {
                anyFailed = true
                let message = TestCommand.describe(error)
                FileHandle.standardError.write("filterctl: \(message)\n")
                if json { print(JSON.object([("file", .string(path)), ("error", .string(message))]).text) }
            }
        }
        if anyFailed { throw ExitCode(ExitStatus.failure) }
        if anyRejected { throw ExitCode(ExitStatus.rejected) }
    }

    struct Result {
        var report: UploadReport
        var stored: StoredObject?
        var seconds: Double
    }

    func test(_ path: String, chain: Chain, sink: any Sink) async throws -> Result {
        let size = try TestCommand.fileSize(path)
        let name = filename ?? (path as NSString).lastPathComponent
        let upload = Upload(
            declaredType: contentType ?? MediaType.forFilename(name),
            filename: name, field: "file", declaredLength: size)
        let key = Filename.sanitize(name) ?? "upload"
        let body = ProgressBody(FileBody(path: path), total: size, label: name)
        let started = ContinuousClock.now
        let outcome = try await chain.run(upload, from: body, into: sink, key: key)
        let elapsed = ContinuousClock.now - started
        body.clear()
        return Result(report: outcome.report, stored: outcome.stored, seconds: elapsed.seconds)
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

    static func fileSize(_ path: String) throws -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError(message: "\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw CLIError(message: "\(path): is a directory") }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? 0
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as CLIError: error.message
        case let error as FileError: error.description
        case let error as FilterFailure: error.description
        case let error as CocoaError: "\(error.filePath ?? ""): \(error.localizedDescription)"
        default: "\(error)"
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
