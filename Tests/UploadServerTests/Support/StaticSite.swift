import Foundation
import TestSupport

/// One HTML page served by `python3 -m http.server` on 127.0.0.1, stopped by its PID: a
/// stand-in for another site.
final class StaticSite {
    let process = Process()
    /// The page's folder, removed with the site.
    let directory: ScratchDirectory

    init(port: Int, html: String) throws {
        directory = try ScratchDirectory("site")
        try html.write(to: directory.file("index.html"), atomically: false, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Serving once it accepts connections.
        for _ in 0..<100 {
            if (try? RawHTTP(port: port)) != nil { return }
            usleep(50_000)
        }
        throw BrowserError(message: "the static site did not start")
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
