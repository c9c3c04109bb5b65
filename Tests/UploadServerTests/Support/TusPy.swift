import Foundation
import TestSupport

/// Uploads made by tuspy, the tus project's own Python client (scripts/testing/tus_upload.py): Sluice's tus endpoint is checked against a client nobody here wrote.
enum TusPy {
    struct Failed: Error, CustomStringConvertible { var description: String }

    /// What the client did: the upload's URL and offset, the last answer's headers
    /// (lowercased names), or the error it stopped on.
    struct Result {
        var url: String
        var offset: Int
        var headers: [String: String]
        var error: String?
        var id: String { String(url.split(separator: "/").last ?? "") }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scripts/testing/tus_upload.py").standardized.path

    static let available: Bool = (try? runProcess("/usr/bin/env", ["python3", "-c", "import tusclient"]).status) == 0

    /// Runs one upload; `arguments` as tus_upload.py documents them.
    static func upload(_ arguments: [String: Any]) throws -> Result {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let run = try runProcess("/usr/bin/env", ["python3", script, json])
        guard run.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(run.stdout)) as? [String: Any] else {
            throw Failed(description: "tuspy exited \(run.status): \(run.stderr)")
        }
        return Result(
            url: object["url"] as? String ?? "", offset: object["offset"] as? Int ?? -1, headers: object["headers"] as? [String: String] ?? [:],
            error: object["error"] as? String)
    }
}
