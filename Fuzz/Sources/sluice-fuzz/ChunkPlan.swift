import NIOCore

/// Where a body is cut into buffers, read from the fuzz input so that libFuzzer varies the cuts
/// as it varies the bytes: a count, then one byte per size, used in turn.
struct ChunkPlan {
    /// Empty: the body in one buffer.
    var sizes: [Int]

    init(sizes: [Int]) { self.sizes = sizes }

    /// Up to 7 sizes: bytes below 0xF0 give 1 to 240 bytes, the rest 1 to 16 KiB.
    init(_ input: inout FuzzInput) {
        let count = Int(input.byte() % 8)
        sizes = input.take(count).map { $0 < 0xF0 ? Int($0) + 1 : (Int($0) - 0xEF) << 10 }
    }

    static let whole = ChunkPlan(sizes: [])
    static let single = ChunkPlan(sizes: [1])

    func split(_ bytes: [UInt8]) -> [ByteBuffer] {
        guard !sizes.isEmpty else { return bytes.isEmpty ? [] : [ByteBuffer(bytes: bytes)] }
        var chunks: [ByteBuffer] = []
        var start = 0, turn = 0
        while start < bytes.count {
            let end = Swift.min(bytes.count, start + sizes[turn % sizes.count])
            chunks.append(ByteBuffer(bytes: bytes[start..<end]))
            start = end
            turn += 1
        }
        return chunks
    }
}
