import Foundation

/// An open file, closed when the last reference goes. Immutable: the reading position is the
/// kernel's, and only the iterator that owns it reads.
final class FileDescriptor {
    private let fd: Int32

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
}
