import Foundation

/// scripts/testing/fault_proxy.py in front of an S3 endpoint, injecting the faults `rules`
/// name (see the script); stopped by its PID.
public final class FaultProxy {
    let process = Process()
    public let url: String

    public struct StartFailed: Error {}

    public init(upstream: String, rules: [String]) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/testing/fault_proxy.py").standardized.path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, upstream] + rules
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else { throw StartFailed() }
        url = "http://127.0.0.1:\(port)"
    }

    deinit {
        // SIGKILL: the test runner's blocked signal mask is inherited by its children.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
