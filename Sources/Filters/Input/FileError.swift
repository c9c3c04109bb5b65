import Foundation

/// A file that could not be opened or read, with the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
