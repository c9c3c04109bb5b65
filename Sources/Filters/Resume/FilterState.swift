/// A filter's saved state: versioned bytes, kept with a resumable upload's state (in S3, beside
/// its multipart upload) and handed back to a fresh filter of the same step.
public struct FilterState: Sendable, Equatable {
    /// The layout of ``bytes``, the filter's own: bump it when the layout changes, and refuse
    /// (or convert) versions it cannot read.
    public var version: UInt16
    public var bytes: [UInt8]

    public init(version: UInt16, bytes: [UInt8]) {
        self.version = version
        self.bytes = bytes
    }

    /// A state of `version` with what `body` writes.
    public init(version: UInt16, _ body: (inout StateWriter) -> Void) {
        var writer = StateWriter()
        body(&writer)
        self.init(version: version, bytes: writer.bytes)
    }

    /// Reads a state that `filter` saved as `version`, all of it.
    public func read<T>(_ filter: String, version expected: UInt16, _ body: (inout StateReader) throws(FilterStateError) -> T) throws(FilterStateError) -> T {
        guard version == expected else { throw FilterStateError("`\(filter)` state version \(version) is not \(expected), the one this build reads") }
        var reader = StateReader(bytes)
        do {
            let value = try body(&reader)
            try reader.expectEnd()
            return value
        } catch {
            throw FilterStateError("`\(filter)` state: \(error.message)")
        }
    }
}

/// Saved state that cannot be taken up: another version, another filter's, or damaged.
public struct FilterStateError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(_ message: String) { self.message = message }
}
