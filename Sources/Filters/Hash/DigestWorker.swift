import Checksums
import Foundation
import NIOCore

/// Digests computed on a thread of their own, beside the task that reads the upload. SHA-256 is
/// the largest cost on the upload path, and on one task it runs in series with parsing and
/// copying into parts; handed over, it overlaps with them (docs/PERFORMANCE.md).
///
/// A chunk is handed over without a copy (the buffer is shared). At most ``maxQueuedBytes`` wait
/// besides the batch being hashed; past that, ``submit(_:)`` waits for the thread, so the reader
/// never runs ahead by more. A thread rather than a task, because ``Filter/write(_:_:)`` is
/// synchronous and hashing is long CPU work that would hold one of the few cooperative threads
/// anyway, on one of the ``HelperThreads``.
final class DigestWorker {
    /// What may wait for the thread, in bytes. Each time the queue fills, the reader sleeps and
    /// the thread wakes it: a smaller queue means more context switches, a larger one more read
    /// buffers held per upload (docs/PERFORMANCE.md).
    static let maxQueuedBytes = 1 << 20

    /// Shared with the thread; the worker itself is not, so that its deinit can tell an upload
    /// that ended without ``finish()`` (a rejection, a failure) and let the thread go.
    let queue: Queue

    /// Starts hashing on a helper; nil when none is free.
    init?(hashers: [any ResumableDigest], helpers: HelperThreads) {
        let queue = Queue(hashers: hashers)
        guard helpers.run({ queue.run() }) else { return nil }
        self.queue = queue
    }

    deinit { queue.abandon() }

    /// Hands `chunk` to the thread; waits while ``maxQueuedBytes`` are already waiting.
    func submit(_ chunk: ByteBuffer) { queue.submit(chunk) }

    /// Waits until every chunk is hashed and returns the hashers, with the thread gone.
    func finish() -> [any ResumableDigest] { queue.finish() }
}

extension DigestWorker {
    /// The chunks waiting and the hashers, behind one condition variable. The reader waits only
    /// when the queue is full, the thread only when it is empty; each wakes the other only then.
    final class Queue: @unchecked Sendable {
        private let condition = NSCondition()
        private var chunks: [ByteBuffer] = []
        private var queuedBytes = 0
        /// The thread's alone until it sets `done` (under the lock); ``finish()``'s after that.
        private var hashers: [any ResumableDigest]
        private var ended = false
        private var abandoned = false
        private var done = false
        private var readerWaits = false
        private var threadWaits = false

        init(hashers: [any ResumableDigest]) {
            self.hashers = hashers
        }

        func submit(_ chunk: ByteBuffer) {
            condition.lock()
            defer { condition.unlock() }
            while queuedBytes >= DigestWorker.maxQueuedBytes {
                readerWaits = true
                condition.wait()
            }
            chunks.append(chunk)
            queuedBytes += chunk.readableBytes
            if threadWaits { condition.broadcast() }
        }

        func finish() -> [any ResumableDigest] {
            condition.lock()
            defer { condition.unlock() }
            ended = true
            condition.broadcast()
            while !done {
                readerWaits = true
                condition.wait()
            }
            return hashers
        }

        func abandon() {
            condition.lock()
            abandoned = true
            condition.broadcast()
            condition.unlock()
        }

        /// The helper: takes whatever is waiting, all at once, and hashes it outside the lock.
        func run() {
            var batch: [ByteBuffer] = []
            while true {
                condition.lock()
                while chunks.isEmpty && !ended && !abandoned {
                    threadWaits = true
                    condition.wait()
                    threadWaits = false
                }
                if abandoned || (ended && chunks.isEmpty) {
                    done = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                swap(&batch, &chunks)
                queuedBytes = 0
                if readerWaits {
                    readerWaits = false
                    condition.broadcast()
                }
                condition.unlock()

                for chunk in batch {
                    chunk.withUnsafeReadableBytes { bytes in
                        for i in hashers.indices { hashers[i].update(bytes) }
                    }
                }
                batch.removeAll(keepingCapacity: true)
            }
        }
    }
}
