import Filters
import Foundation

/// Writes each upload to a file at `directory/key` (or to one fixed path), and removes it when
/// the upload fails: `filterctl test --output` shows what would be stored.
public struct FileSink: Sink {
    public enum Destination: Sendable {
        /// The key is a path under this directory.
        case directory(String)
        /// Every upload goes to this path (one file at a time).
        case file(String)
    }

    public let destination: Destination

    public init(_ destination: Destination) {
        self.destination = destination
    }

    func path(for key: String) -> String {
        switch destination {
        case .directory(let directory): (directory as NSString).appendingPathComponent(key)
        case .file(let path): path
        }
    }

    public func store(_ body: inout ChainOutput, key: String) async throws -> StoredObject {
        let path = path(for: key)
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var size: Int64 = 0
            while let chunk = try await body.next() {
                try chunk.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
                size += Int64(chunk.readableBytes)
            }
            return StoredObject(key: key, size: size)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    public func remove(_ object: StoredObject) async throws {
        try FileManager.default.removeItem(atPath: path(for: object.key))
    }
}
