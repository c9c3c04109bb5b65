/// A multipart/form-data body that cannot be read: the server answers 400 `malformed_multipart`.
public struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
