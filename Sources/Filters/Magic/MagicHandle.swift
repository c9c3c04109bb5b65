import CMagic

/// One libmagic handle with the system database loaded (one copy for all handles, see
/// ``MagicDatabase``). A handle is not thread-safe: it is used by one filter at a time, which
/// ``MagicPool`` guarantees (hence `@unchecked Sendable`).
final class MagicHandle: @unchecked Sendable {
    private let cookie: OpaquePointer

    /// Loads the shared database, or lets libmagic load its own when there is none.
    convenience init(database: MagicDatabase?) throws(MagicError) {
        try self.init { cookie in database?.load(into: cookie) == true || magic_load(cookie, nil) == 0 }
    }

    /// Loads compiled databases that live as long as this handle.
    convenience init(loading buffers: [UnsafeRawBufferPointer]) throws(MagicError) {
        try self.init { cookie in MagicDatabase.load(buffers, into: cookie) }
    }

    private init(load: (OpaquePointer) -> Bool) throws(MagicError) {
        guard let cookie = magic_open(Self.flags) else {
            throw MagicError(message: "magic_open failed")
        }
        guard load(cookie) else {
            let message = magic_error(cookie).map { String(cString: $0) } ?? "unknown error"
            magic_close(cookie)
            throw MagicError(message: "cannot load the magic database: \(message)")
        }
        self.cookie = cookie
    }

    deinit { magic_close(cookie) }

    /// MIME type and charset: "text/plain; charset=us-ascii".
    static let flags = MAGIC_MIME_TYPE | MAGIC_MIME_ENCODING

    /// libmagic's verdict on a sample, e.g. "image/png; charset=binary". `builtinTestsOnly`:
    /// only the tests libmagic runs before its rules (tar, JSON, CSV, CDF); a sample none of
    /// them recognises is then application/octet-stream.
    func identify(_ sample: UnsafeRawBufferPointer, builtinTestsOnly: Bool = false) throws(MagicError) -> String {
        if builtinTestsOnly { magic_setflags(cookie, Self.flags | MAGIC_NO_CHECK_SOFT | MAGIC_NO_CHECK_TEXT) }
        defer { if builtinTestsOnly { magic_setflags(cookie, Self.flags) } }
        var limit = Swift.max(sample.count, 1 << 20)
        // libmagic looks at 1 MiB by default; a larger sniff window needs a larger limit.
        _ = magic_setparam(cookie, MAGIC_PARAM_BYTES_MAX, &limit)
        let base = sample.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        guard let result = magic_buffer(cookie, base, sample.count) else {
            let message = magic_error(cookie).map { String(cString: $0) } ?? "unknown error"
            throw MagicError(message: message)
        }
        return String(cString: result)
    }
}

public struct MagicError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "libmagic: \(message)" }
}
