import Checksums
import Filters
import S3
import Foundation
import TestSupport

/// An UploadServer process started for a test, on a free port, stopped by its PID.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    private let scratch: ScratchDirectory
    /// The server's config, its log and whatever a test puts beside them; removed with the server.
    var directory: URL { scratch.url }
    let url: String
    let port: Int
    private let logFile: URL

    /// Starts the server with `yaml` (whose `server.port` should be 0) and the environment;
    /// `launcher`: a command that runs it (and execs it, keeping its PID), e.g. prlimit.
    init(yaml: String, environment: [String: String] = [:], launcher: [String] = []) throws {
        scratch = try ScratchDirectory("sluice-server")
        let configFile = scratch.file("sluice.yaml")
        try yaml.write(to: configFile, atomically: true, encoding: .utf8)
        logFile = scratch.file("server.log")
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: logFile.path])
        }
        let server = productsDirectory.appendingPathComponent("UploadServer")
        process.executableURL = launcher.first.map(URL.init(fileURLWithPath:)) ?? server
        process.arguments = launcher.dropFirst() + (launcher.isEmpty ? [] : [server.path]) + ["--config", configFile.path]
        process.environment = ServerProcess.baseEnvironment.merging(environment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
        // The server prints one line with its URL once it listens.
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://"), let portText = text[range.upperBound...].split(separator: ":").last?.split(separator: "/").first,
            let port = Int(portText)
        else {
            process.waitUntilExit()
            throw ServerStartFailed(log: (try? String(contentsOf: logFile, encoding: .utf8)) ?? "", status: process.terminationStatus)
        }
        self.port = port
        self.url = "http://127.0.0.1:\(port)"
    }

    /// PATH and HOME, plus the S3 test endpoint as the AWS_* variables the server reads.
    static var baseEnvironment: [String: String] {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/nonexistent", "LOG_LEVEL": "info"]
        // A server that crashes should fail its test at once; the backtracer, symbolicating a
        // debug binary, once held a crashed server (and the test waiting for it) for 20 minutes.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        if let s3 = S3TestEnvironment.current {
            environment["AWS_ENDPOINT_URL"] = s3.endpoint
            environment["AWS_REGION"] = s3.region
            environment["AWS_ACCESS_KEY_ID"] = s3.accessKeyId
            environment["AWS_SECRET_ACCESS_KEY"] = s3.secretAccessKey
        }
        return environment
    }

    /// What the server logged so far.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    var isRunning: Bool { process.isRunning }

    /// The server's resident memory now (VmRSS), in bytes.
    var residentBytes: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        let kilobytes = line.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        return kilobytes << 10
    }

    /// SIGTERM, then waits up to `timeout` for the exit; SIGKILL after that. Returns the status.
    @discardableResult
    func stop(timeout: Duration = .seconds(15)) async -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct ServerStartFailed: Error, CustomStringConvertible {
    var log: String
    var status: Int32
    var description: String { "UploadServer did not start (exit \(status)):\n\(log)" }
}

/// Runs UploadServer to its exit (for start-up errors).
func runServer(yaml: String, environment: [String: String] = [:]) throws -> ProcessResult {
    let directory = try ScratchDirectory("sluice-server")
    let config = directory.file("sluice.yaml")
    try yaml.write(to: config, atomically: true, encoding: .utf8)
    return try runProcess(
        productsDirectory.appendingPathComponent("UploadServer").path, ["--config", config.path], directory: directory.path,
        environment: ServerProcess.baseEnvironment.merging(environment) { $1 })
}
