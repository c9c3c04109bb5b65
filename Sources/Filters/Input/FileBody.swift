import Foundation
import NIOCore

/// A file's bytes as an async sequence of chunks, read as they are pulled: never the whole file.
public struct FileBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    public let path: String
    public let chunkSize: Int

    public init(path: String, chunkSize: Int = 256 << 10) {
        self.path = path
        self.chunkSize = chunkSize
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(path: path, chunkSize: chunkSize)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let path: String
        let chunkSize: Int
        private var descriptor: FileDescriptor?
        private var ended = false
        /// Reused for every read: once the previous chunk is released downstream, clear()
        /// keeps its storage; if someone still holds it, clear() gives us fresh storage.
        private var buffer = ByteBuffer()

        init(path: String, chunkSize: Int) {
            self.path = path
            self.chunkSize = chunkSize
        }

        public mutating func next() async throws -> ByteBuffer? {
            try Task.checkCancellation()
            if descriptor == nil { descriptor = try FileDescriptor(openForReading: path) }
            guard let descriptor, !ended else { return nil }
            buffer.clear(minimumCapacity: chunkSize)
            let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { space in
                try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: space.prefix(chunkSize)))
            }
            if count == 0 {
                ended = true
                return nil
            }
            return buffer
        }
    }
}
