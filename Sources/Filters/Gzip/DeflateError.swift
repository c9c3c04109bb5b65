import Checksums

public struct DeflateError: Error, Sendable, CustomStringConvertible {
    public var status: Int32
    public var description: String { "zlib deflate failed with status \(status)" }
}
