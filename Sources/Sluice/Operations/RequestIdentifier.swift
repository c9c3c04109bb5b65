import Filters

/// Short random request ids, for logs and the X-Request-Id header.
enum RequestIdentifier {
    static func next() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        return String(value, radix: 16).leftPadded(to: 16)
    }
}
