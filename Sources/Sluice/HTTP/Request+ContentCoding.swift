import Foundation
import HummingbirdCore

extension Request {
    /// The body's content coding when it has one (`Content-Encoding` other than `identity`),
    /// as the client wrote it.
    var bodyContentCoding: String? {
        let codings = headers[values: .contentEncoding]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0.lowercased() != "identity" }
        return codings.isEmpty ? nil : codings.joined(separator: ", ")
    }
}
