import Filters
import Logging

/// Wraps a log handler so that no text reaches a log line raw: control characters (CR and LF
/// among them), line and paragraph separators and bidi overrides in the message and in every
/// metadata value are written as `\xNN` or `\u{NNNN}`, and a backslash as `\\`. A filename or
/// path from a client can then never start a line of its own or pass for another record.
struct EscapingLogHandler: LogHandler {
    private var wrapped: any LogHandler

    init(_ wrapped: any LogHandler) { self.wrapped = wrapped }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(LogEscaping.escape) }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(LogEscaping.escape) }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: LogEscaping.escape(event.message.description))
        event.metadata = event.metadata?.mapValues(LogEscaping.escape)
        wrapped.log(event: event)
    }
}
