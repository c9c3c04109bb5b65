import Filters
import NIOCore
import Synchronization

/// Keeps stored objects in memory, with their headers: for tests.
public final class MemorySink: Sink {
    public struct Object: Sendable, Equatable {
        public var bytes: ByteBuffer
        public var head: ObjectHead
    }

    private let objects = Mutex<[String: Object]>([:])

    public init() {}

    public func store(_ body: inout ChainOutput, key: String) async throws -> StoredObject {
        var bytes = ByteBuffer()
        while var chunk = try await body.next() { bytes.writeBuffer(&chunk) }
        let object = Object(bytes: bytes, head: body.head ?? ObjectHead())
        objects.withLock { $0[key] = object }
        return StoredObject(key: key, size: Int64(bytes.readableBytes))
    }

    public func remove(_ object: StoredObject) async throws {
        _ = objects.withLock { $0.removeValue(forKey: object.key) }
    }

    public subscript(key: String) -> Object? { objects.withLock { $0[key] } }

    public var keys: [String] { objects.withLock { Array($0.keys) } }
}
