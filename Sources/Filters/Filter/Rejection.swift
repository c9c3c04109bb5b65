/// A filter's refusal of an upload: what a client is told, and why.
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The config name of the filter that refused (the chain fills it in).
    public var filter: String
    /// Machine-readable reason, e.g. `size_exceeded`.
    public var code: String
    /// The HTTP status a server answers with.
    public var status: Int
    /// A sentence for a human.
    public var message: String

    public init(filter: String = "", code: String, status: Int, message: String) {
        self.filter = filter
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { "\(filter): \(code) (\(status)): \(message)" }
}
