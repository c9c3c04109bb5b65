import NIOCore

/// Ways of cutting a byte stream into chunks; results must not depend on the choice.
public enum Chunking: CustomStringConvertible, CaseIterable, Sendable {
    case whole, single, random

    public func split(_ bytes: [UInt8], seed: UInt64 = 42) -> [ByteBuffer] {
        switch self {
        case .whole:
            return [ByteBuffer(bytes: bytes)]
        case .single:
            return bytes.map { ByteBuffer(bytes: [$0]) }
        case .random:
            var rng = SeededRandom(seed: seed)
            var chunks: [ByteBuffer] = []
            var i = 0
            while i < bytes.count {
                let n = Swift.min(bytes.count - i, Int(rng.next() % 9000) + 1)
                chunks.append(ByteBuffer(bytes: bytes[i..<(i + n)]))
                i += n
            }
            return chunks
        }
    }

    public var description: String {
        switch self {
        case .whole: "one chunk"
        case .single: "1-byte chunks"
        case .random: "random chunks"
        }
    }
}
