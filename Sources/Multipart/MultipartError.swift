/// A multipart/form-data body that cannot be read: the server answers 400 `malformed_multipart`.
public struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension MultipartError {
    /// A limit for people: whole KiB as `64 KiB`, anything else in bytes.
    static func size(_ bytes: Int) -> String {
        bytes >= 1024 && bytes % 1024 == 0 ? "\(bytes / 1024) KiB" : "\(bytes) bytes"
    }
}
