import Filters
import Foundation
import NIOCore
import Sluice
import Synchronization

/// A file's chunks with a progress line on stderr, when stderr is a terminal and the run is long.
final class ProgressBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    typealias Failure = any Error

    private let file: FileBody
    private let total: Int64
    private let label: String
    private let shown = Atomic<Bool>(false)
    private static let onTerminal = isatty(STDERR_FILENO) == 1

    init(_ file: FileBody, total: Int64, label: String) {
        self.file = file
        self.total = total
        self.label = label
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(inner: file.makeAsyncIterator(), owner: self)
    }

    /// Removes the progress line, if one was drawn.
    func clear() {
        if shown.load(ordering: .relaxed) { FileHandle.standardError.write("\r\u{1B}[K") }
    }

    struct Iterator: AsyncIteratorProtocol {
        var inner: FileBody.Iterator
        let owner: ProgressBody
        var done: Int64 = 0
        let started = ContinuousClock.now
        var lastDrawn = ContinuousClock.now

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await inner.next() else { return nil }
            done += Int64(chunk.readableBytes)
            if ProgressBody.onTerminal {
                let now = ContinuousClock.now
                if now - started > .seconds(1), now - lastDrawn > .milliseconds(250) {
                    lastDrawn = now
                    owner.draw(done: done, elapsed: now - started)
                }
            }
            return chunk
        }
    }

    private func draw(done: Int64, elapsed: Duration) {
        shown.store(true, ordering: .relaxed)
        let percent = total > 0 ? Int(done * 100 / total) : 100
        let rate = Double(done) / 1e6 / elapsed.inSeconds
        FileHandle.standardError.write("\r\u{1B}[K\(label): \(percent)% of \(ByteSize.format(total)), \(TestReport.format(rate)) MB/s")
    }
}
