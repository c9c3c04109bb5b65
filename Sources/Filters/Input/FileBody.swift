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
            guard let descriptor, !descriptor.atEnd else { return nil }
            buffer.clear(minimumCapacity: chunkSize)
            let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { space in
                try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: space.prefix(chunkSize)))
            }
            if count == 0 {
                descriptor.markEnd()
                return nil
            }
            return buffer
        }
    }
}

/// An open file, closed when the last reference goes.
final class FileDescriptor: @unchecked Sendable {
    private let fd: Int32
    private(set) var atEnd = false

    init(openForReading path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw FileError(path: path, errno: EISDIR)
        }
    }

    let path: String

    deinit { close(fd) }

    func read(into space: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, space.baseAddress, space.count)
            if n >= 0 { return n }
            if errno != EINTR { throw FileError(path: path, errno: errno) }
        }
    }

    func markEnd() { atEnd = true }
}

/// A file that could not be opened or read, with the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
