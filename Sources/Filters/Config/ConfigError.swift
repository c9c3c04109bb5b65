/// A config problem, pinned to its file, line and key.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; nil when the problem has no single place (a missing file).
    public var line: Int?
    /// The dotted path of the key, e.g. `chains.images[1].magic.allow`.
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `sluice.yaml:7: chains.images[1].magic.allow[0]: "imag/png" is not a type pattern`
    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let key, !key.isEmpty { return "\(place): \(key): \(message)" }
        return "\(place): \(message)"
    }
}
