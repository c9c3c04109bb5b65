import Testing
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport

/// Headless Chromium driven through chromedriver's WebDriver HTTP API: just what the browser
/// tests need.
final class Browser: @unchecked Sendable {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { chromium != nil && chromedriver != nil }
    static let skipReason: Comment = "needs chromium and chromium-driver (scripts/setup installs them)"

    private let driver = Process()
    /// chromedriver's and Chromium's TMPDIR: the profile directories they make there go with it.
    private let scratch: ScratchDirectory
    private let base: String
    private var session = ""

    init() async throws {
        let port = try freePort()
        driver.executableURL = URL(fileURLWithPath: Browser.chromedriver!)
        driver.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        scratch = try ScratchDirectory("browser-profile")
        driver.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": scratch.path]) { $1 }
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        base = "http://127.0.0.1:\(port)"
        for _ in 0..<100 {
            if (try? await call(.GET, "/status"))?["ready"] as? Bool == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": Browser.chromium!,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,900", "--no-first-run"],
                    ],
                ]
            ]
        ]
        do {
            let answer = try await callValue(.POST, "/session", capabilities) as? [String: Any]
            session = try (answer?["sessionId"] as? String).unwrap("no session id: \(String(describing: answer))")
        } catch {
            kill(driver.processIdentifier, SIGKILL)
            driver.waitUntilExit()
            throw error
        }
    }

    /// A browser for `body`, quit afterwards whether `body` returned or threw.
    static func using<T>(_ body: (Browser) async throws -> T) async throws -> T {
        let browser = try await Browser()
        do {
            let result = try await body(browser)
            await browser.quit()
            return result
        } catch {
            await browser.quit()
            throw error
        }
    }

    /// Quits the browser and stops chromedriver.
    func quit() async {
        _ = try? await call(.DELETE, "/session/\(session)")
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
    }

    func open(_ url: String) async throws { _ = try await call(.POST, "/session/\(session)/url", ["url": url]) }

    /// Runs `script` in the page; its `return` value comes back.
    @discardableResult
    func run(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await callValue(.POST, "/session/\(session)/execute/sync", ["script": script, "args": arguments])
    }

    /// Runs an async script: it must call `arguments[arguments.length - 1](result)`.
    func runAsync(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await callValue(.POST, "/session/\(session)/execute/async", ["script": script, "args": arguments])
    }

    /// Types into an element; for a file input, the text is a file's path.
    func type(_ text: String, into selector: String) async throws {
        let element = try await callValue(.POST, "/session/\(session)/element", ["using": "css selector", "value": selector]) as? [String: Any]
        let id = try (element?.values.first as? String).unwrap("no element \(selector)")
        _ = try await call(.POST, "/session/\(session)/element/\(id)/value", ["text": text])
    }

    func click(_ selector: String) async throws {
        let element = try await callValue(.POST, "/session/\(session)/element", ["using": "css selector", "value": selector]) as? [String: Any]
        let id = try (element?.values.first as? String).unwrap("no element \(selector)")
        _ = try await call(.POST, "/session/\(session)/element/\(id)/click", [:])
    }

    /// Limits the browser's upload speed (bytes per second), so progress can be watched.
    func throttleUpload(bytesPerSecond: Int) async throws {
        _ = try await call(.POST, "/session/\(session)/chromium/network_conditions", [
            "network_conditions": ["offline": false, "latency": 0, "upload_throughput": bytesPerSecond, "download_throughput": 100_000_000]
        ])
    }

    func screenshot() async throws -> Data {
        let text = try (await callValue(.GET, "/session/\(session)/screenshot") as? String).unwrap("no screenshot")
        return try Data(base64Encoded: text).unwrap("bad screenshot")
    }

    /// Polls `condition` (a JS expression) until it is truthy.
    func wait(for condition: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await run("return !!(\(condition));") as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BrowserError(message: "timed out waiting for \(condition)")
    }

    private func callValue(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await call(method, path, body)?["value"] ?? nil
    }

    private func call(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any]? {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let data = try await response.body.collect(upTo: 64 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(data.readableBytesView)) as? [String: Any]
        if response.status.code >= 400 {
            throw BrowserError(message: "WebDriver \(method) \(path): \(response.status.code) \(String(describing: json))")
        }
        if path == "/status" { return json?["value"] as? [String: Any] }
        return json
    }
}

struct BrowserError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Optional {
    func unwrap(_ message: String) throws -> Wrapped {
        guard let self else { throw BrowserError(message: message) }
        return self
    }
}

/// A TCP port nobody listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            guard bind(fd, $0, length) == 0, getsockname(fd, $0, &length) == 0 else { throw BrowserError(message: "no free port") }
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
