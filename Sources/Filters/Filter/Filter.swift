import NIOCore

/// One stage of a chain, for one upload.
///
/// A filter sees the upload's bytes in order, as chunks of any size. It may pass them on, hold
/// them back until it has decided (a lookahead), transform them, and read or set the upload's
/// metadata. It rejects an upload by throwing a ``Rejection``.
///
/// A filter must set any of the object's headers (Content-Type, Content-Disposition,
/// Content-Encoding) before it passes on its first byte, or in ``finish(_:)`` when it passed on
/// none: the chain checks this, because a sink may send those headers before the body.
///
/// The chain makes a fresh filter for every upload (see ``FilterStep``), so a filter keeps its
/// per-upload state in its own properties. Results must not depend on how the input is chunked.
public protocol Filter {
    /// Called once before any byte, with the metadata the client declared.
    mutating func begin(_ upload: inout Upload) throws

    /// Takes the next chunk and returns the bytes to pass on, or nil to pass nothing on yet.
    mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer?

    /// The input has ended: returns whatever the filter still holds, or nil.
    mutating func finish(_ upload: inout Upload) throws -> ByteBuffer?
}

extension Filter {
    public mutating func begin(_ upload: inout Upload) throws {}
    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? { nil }
}
