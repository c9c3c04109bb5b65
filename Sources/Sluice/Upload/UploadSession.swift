import Filters
import Logging

/// What one request has stored so far. A request is all or nothing: when a later file is
/// refused or fails, the files already stored are deleted.
final class UploadSession {
    let sink: any Sink
    let logger: Logger
    private(set) var files: [StoredFile] = []
    /// Text fields in arrival order; a name sent twice keeps both values.
    private(set) var fields: [(name: String, value: String)] = []

    init(sink: any Sink, logger: Logger) {
        self.sink = sink
        self.logger = logger
    }

    func add(_ file: StoredFile) { files.append(file) }

    func add(field name: String, value: String) { fields.append((name, value)) }

    /// Deletes what this request stored, in a task of its own so it runs even when the
    /// request's task was cancelled.
    func rollback() async {
        guard !files.isEmpty else { return }
        let objects = files.map(\.object), sink = self.sink, logger = self.logger
        files = []
        await Task.detached {
            for object in objects {
                do {
                    try await sink.remove(object)
                } catch {
                    logger.error("could not delete an object of a failed request", metadata: ["key": "\(object.key)", "error": "\(error)"])
                }
            }
        }.value
    }

    /// The 201 answer.
    var json: JSON {
        var grouped: [(String, [String])] = []
        for (name, value) in fields {
            if let i = grouped.firstIndex(where: { $0.0 == name }) { grouped[i].1.append(value) } else { grouped.append((name, [value])) }
        }
        let fieldsJSON = JSON.object(grouped.map { ($0.0, $0.1.count == 1 ? .string($0.1[0]) : .array($0.1.map(JSON.string))) })
        return .object([("code", 201), ("files", .array(files.map(\.json))), ("fields", fieldsJSON)])
    }
}
