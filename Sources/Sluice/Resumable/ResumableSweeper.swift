import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Removes expired resumable uploads now and then, so that one its client gave up on is
/// aborted by the server rather than left to the bucket's lifecycle rule. Every instance
/// sweeps; two removing the same upload do no harm.
struct ResumableSweeper: Service {
    let stores: [ResumableStore]
    /// Where the uploads' objects (and multipart uploads) are.
    let bucket: String
    let interval: Duration
    let logger: Logger

    /// A quarter of the shortest `expiresAfter`, within 5 seconds and 15 minutes.
    static func interval(expiresAfter: [Double]) -> Duration {
        .milliseconds(Int64(min(max((expiresAfter.min() ?? 3600) / 4, 5), 900) * 1000))
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    await sweep()
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            // The server is stopping: the sleep was cut short, which is not a failure.
        }
    }

    func sweep() async {
        for store in stores {
            do {
                let removed = try await store.removeExpired(bucket: bucket)
                if !removed.isEmpty { logger.info("expired resumable uploads removed", metadata: ["ids": "\(removed)", "prefix": "\(store.prefix)"]) }
            } catch {
                logger.warning("the sweep for expired resumable uploads failed; the next one tries again", metadata: ["prefix": "\(store.prefix)", "error": "\(error)"])
            }
        }
    }
}
