import Checksums
import Foundation
import NIOCore

extension GzipMember {
    /// One block to compress: its place in the member, its bytes, and the bytes before it.
    struct Job: Sendable {
        let sequence: Int
        let block: ByteBuffer
        let dictionary: ByteBuffer?
    }

    /// The blocks waiting to be compressed and the ones done, shared by the reader and the
    /// helpers behind one condition variable. Helpers start as blocks come, while
    /// ``HelperThreads`` has one free and fewer work on this member than the cores less one (the
    /// reader's); each ends when the member is closed.
    final class Jobs: @unchecked Sendable {
        let level: Int32
        private let helperThreads: HelperThreads?
        private let condition = NSCondition()
        private var waiting: [Job] = []
        private var done: [Int: Result<ByteBuffer, DeflateError>] = [:]
        private var helpers = 0
        /// Helpers waiting for a block: a block handed out goes to one of them first.
        private var idleHelpers = 0
        private var closed = false

        init(level: Int32, helpers: HelperThreads?) {
            self.level = level
            self.helperThreads = helpers
        }

        func submit(_ job: Job) {
            condition.lock()
            waiting.append(job)
            let start = !closed && helpers < System.coreCount - 1 && helperThreads != nil
            if start { helpers += 1 }
            condition.unlock()
            condition.signal()
            if start, helperThreads?.run({ [self] in runHelper() }) != true {
                condition.lock()
                helpers -= 1
                condition.unlock()
            }
        }

        /// A block no helper has taken yet, for the reader to compress; with `leavingIdleHelpers`,
        /// only one that no idle helper is about to take.
        func take(leavingIdleHelpers: Bool = false) -> Job? {
            condition.lock()
            defer { condition.unlock() }
            guard waiting.count > (leavingIdleHelpers ? idleHelpers : 0) else { return nil }
            return waiting.removeFirst()
        }

        func complete(_ sequence: Int, _ result: Result<ByteBuffer, DeflateError>) {
            condition.lock()
            done[sequence] = result
            condition.unlock()
            condition.broadcast()
        }

        /// Block `sequence`'s output if it is done.
        func finished(_ sequence: Int) -> Result<ByteBuffer, DeflateError>? {
            condition.lock()
            defer { condition.unlock() }
            return done.removeValue(forKey: sequence)
        }

        /// Returns once block `sequence` is done or a block waits for someone to take it.
        func wait(for sequence: Int) {
            condition.lock()
            defer { condition.unlock() }
            while done[sequence] == nil && waiting.isEmpty { condition.wait() }
        }

        /// No more blocks: helpers end. Also what an upload that stops midway does (GzipMember's
        /// deinit): what still waits is dropped, and its helpers go.
        func close() {
            condition.lock()
            closed = true
            waiting.removeAll()
            condition.unlock()
            condition.broadcast()
        }

        private func runHelper() {
            let deflater = try? BlockDeflater(level: level)
            while true {
                condition.lock()
                while waiting.isEmpty && !closed {
                    idleHelpers += 1
                    condition.wait()
                    idleHelpers -= 1
                }
                guard !waiting.isEmpty else {
                    helpers -= 1
                    condition.unlock()
                    return
                }
                let job = waiting.removeFirst()
                condition.unlock()
                let result: Result<ByteBuffer, DeflateError> =
                    if let deflater { Result { () throws(DeflateError) in try deflater.deflate(job.block, after: job.dictionary) } } else { .failure(DeflateError(status: -4)) }
                complete(job.sequence, result)
            }
        }
    }
}
