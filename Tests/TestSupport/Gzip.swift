import Foundation

/// gunzip through the system's gzip, which also checks the stream (`gzip -t` semantics).
public func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = try ScratchDirectory("sluice-gz")
    let file = directory.file("data.gz")
    try Data(bytes).write(to: file)
    let test = try runProcess("/bin/gzip", ["-t", file.path])
    guard test.status == 0 else { throw GzipCheckFailed(message: "gzip -t: \(test.stderr)") }
    let out = try runProcess("/bin/gzip", ["-dc", file.path])
    return out.stdout
}

public struct GzipCheckFailed: Error {
    public var message: String
    public init(message: String) { self.message = message }
}


/// `bytes` gzipped in one stream by the system's gzip, a yardstick for output size.
public func systemGzip(_ bytes: [UInt8], level: Int) throws -> [UInt8] {
    let directory = try ScratchDirectory("sluice-gz")
    let file = directory.file("data")
    try Data(bytes).write(to: file)
    return try runProcess("/bin/gzip", ["-\(level)", "-n", "-c", file.path]).stdout
}
