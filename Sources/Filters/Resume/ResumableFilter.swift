import NIOCore

/// A filter whose per-upload state can be saved when a resumable upload pauses (its request
/// ended, for whatever reason) and restored when the upload goes on, in this process or in
/// another: the result must be the one the same bytes get in one go.
///
/// ``saveState()`` is called between chunks, never after ``Filter/finish(_:)``, and right
/// after ``drain(_:)``; bytes the filter holds back (a lookahead) belong in its state, since the
/// chain passes nothing on for them. A chain can serve `resumable` routes only when every
/// step's filter adopts this.
public protocol ResumableFilter: Filter {
    /// Before the state is saved: returns output the filter has made but not passed on yet
    /// (work on helper threads), so that its state need hold only its input.
    mutating func drain(_ upload: inout Upload) throws -> ByteBuffer?

    /// The state after the bytes seen so far. The filter may go on being written to afterwards.
    mutating func saveState() throws -> FilterState

    /// Takes up `state`, saved by a filter of the same step and options, on a fresh filter
    /// (``Filter/begin(_:)`` is not called again).
    mutating func restore(_ state: FilterState) throws
}

extension ResumableFilter {
    public mutating func drain(_ upload: inout Upload) throws -> ByteBuffer? { nil }
}
