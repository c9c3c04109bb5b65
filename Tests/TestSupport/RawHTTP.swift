import Foundation

/// A bare TCP connection, for requests no HTTP client sends: truncated, malformed, slow,
/// abandoned half-way.
public final class RawHTTP {
    private let fd: Int32

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawHTTPError(message: "connect: \(String(cString: strerror(errno)))") }
    }

    private var open = true

    deinit { close() }

    /// Closes the connection (as a browser does when its tab goes away).
    public func close() {
        if open { Glibc.close(fd) }
        open = false
    }

    /// Sends all of `bytes`; false if the server closed the connection meanwhile.
    /// Resets the connection (RST, no FIN), as a client whose process died or whose network
    /// dropped does.
    public func reset() {
        guard open else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    public func send(_ text: String) { send(Array(text.utf8)) }

    /// Stops sending (the server sees the end of the body) but keeps reading.
    public func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads what arrives within `timeout`, until the server closes or a whole response (head
    /// and Content-Length body) is in.
    public func read(timeout: Duration = .seconds(10), interim: Bool = false) -> String {
        var data = [UInt8]()
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 50)
            if ready <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data += buffer[0..<n]
            if RawHTTP.isComplete(data) || (interim && String(decoding: data, as: UTF8.self).contains("\r\n\r\n")) { break }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Everything that arrives until the server closes the connection or `timeout` passes,
    /// and whether it closed.
    public func readToClose(timeout: Duration = .seconds(10)) -> (text: String, closed: Bool) {
        var data = [UInt8]()
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (String(decoding: data, as: UTF8.self), true) }
            data += buffer[0..<n]
        }
        return (String(decoding: data, as: UTF8.self), false)
    }

    /// True once the server closed the connection (read returns 0) within `timeout`.
    public func closedByServer(timeout: Duration = .seconds(10)) -> Bool {
        readToClose(timeout: timeout).closed
    }

    public static func isComplete(_ data: [UInt8]) -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        // Skip interim 1xx answers.
        var rest = Substring(text)
        while let end = rest.range(of: "\r\n\r\n") {
            let head = rest[..<end.lowerBound]
            let body = rest[end.upperBound...]
            if head.hasPrefix("HTTP/1.1 1") {
                rest = body
                continue
            }
            // 204 and 304 carry no body, and no Content-Length to say so.
            if head.hasPrefix("HTTP/1.1 204") || head.hasPrefix("HTTP/1.1 304") { return true }
            guard let line = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                let length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
            else { return false }
            return body.utf8.count >= length
        }
        return false
    }

    /// A request head for a POST or PUT with the given headers.
    public static func head(_ method: String, _ path: String, _ headers: [(String, String)], version: String = "1.1") -> String {
        "\(method) \(path) HTTP/\(version)\r\nHost: 127.0.0.1\r\n" + headers.map { "\($0.0): \($0.1)\r\n" }.joined() + "\r\n"
    }
}

public struct RawHTTPError: Error {
    public var message: String
    public init(message: String) { self.message = message }
}

/// A parsed answer: status line, headers, JSON body.
public struct RawResponse {
    public var status: Int
    public var headers: [String: String]
    public var body: String

    public init?(_ text: String) {
        var rest = Substring(text)
        while rest.hasPrefix("HTTP/1.1 1"), let end = rest.range(of: "\r\n\r\n") { rest = rest[end.upperBound...] }
        guard let end = rest.range(of: "\r\n\r\n") else { return nil }
        let lines = rest[..<end.lowerBound].split(separator: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
        self.status = status
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2 { headers[pair[0].lowercased()] = pair[1].trimmingCharacters(in: .whitespaces) }
        }
        self.headers = headers
        self.body = String(rest[end.upperBound...])
    }

    public var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] }
}
