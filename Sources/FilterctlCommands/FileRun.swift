import ArgumentParser
import Filters
import Foundation
import Sluice
import Storage

/// The outcome of one file.
struct FileResult {
    var report: UploadReport
    var stored: StoredObject?
    var seconds: Double
}

enum FileRun {
    /// Runs the file at `path` through `chain` into `sink` under a key from `keyTemplate`.
    static func run(_ path: String, chain: Chain, sink: any Sink, keyTemplate: KeyTemplate?, contentType: String?, filename: String?, resources: FilterResources) async throws -> FileResult {
        let size = try fileSize(path)
        let name = filename ?? (path as NSString).lastPathComponent
        let upload = Upload(declaredType: contentType ?? MediaType.forFilename(name), filename: name, field: "file", declaredLength: size)
        let key = keyTemplate?.render(upload) ?? Filename.sanitize(name) ?? "upload"
        let body = ProgressBody(FileBody(path: path), total: size, label: name)
        let started = ContinuousClock.now
        defer { body.clear() }
        let outcome = try await chain.run(upload, from: body, into: sink, key: key, resources: resources)
        return FileResult(report: outcome.report, stored: outcome.stored, seconds: (ContinuousClock.now - started).inSeconds)
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

    /// Runs every file, printing each result; exits 2 if any failed, 1 if any was rejected.
    static func runAll(_ files: [String], json: Bool, format: (String, FileResult) -> String, jsonObject: (String, FileResult) -> JSON, each: (String) async throws -> FileResult) async throws {
        var anyRejected = false, anyFailed = false
        for path in files {
            do {
                let result = try await each(path)
                anyRejected = anyRejected || !result.report.accepted
                print(json ? jsonObject(path, result).text : format(path, result))
            } catch {
                anyFailed = true
                let message = describe(error)
                FileHandle.standardError.write("filterctl: \(message)\n")
                if json { print(JSON.object([("file", .string(path)), ("error", .string(message))]).text) }
            }
        }
        if anyFailed { throw ExitCode(ExitStatus.failure) }
        if anyRejected { throw ExitCode(ExitStatus.rejected) }
    }
}
