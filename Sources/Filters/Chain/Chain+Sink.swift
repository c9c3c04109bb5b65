import NIOCore

extension Chain {
    /// The outcome of one upload: the report, and the stored object when it was accepted.
    public struct Outcome: Sendable {
        public var report: UploadReport
        public var stored: StoredObject?
    }

    /// Runs one upload from `source` through the chain into `sink` under `key`. A filter's
    /// rejection is an outcome, not an error; storage and I/O failures are thrown.
    public func run<Source: AsyncSequence<ByteBuffer, any Error>>(
        _ upload: Upload, from source: Source, into sink: some Sink, key: String, resources: FilterResources
    ) async throws -> Outcome {
        var body: ChainOutput
        do {
            body = try ChainOutput(chain: self, upload: upload, source: source, resources: resources)
        } catch let rejection as Rejection {
            // Refused before any byte, e.g. a declared length over the limit.
            var refused = upload
            refused.contentType = nil
            return Outcome(report: UploadReport(chain: name, upload: refused, rejection: rejection), stored: nil)
        }
        do {
            let stored = try await sink.store(&body, key: key)
            return Outcome(report: UploadReport(chain: name, upload: body.upload, rejection: nil), stored: stored)
        } catch let rejection as Rejection {
            return Outcome(report: UploadReport(chain: name, upload: body.upload, rejection: rejection), stored: nil)
        }
    }
}
