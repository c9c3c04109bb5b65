import Filters
import NIOCore
import S3

/// Cuts a chain's output into parts of `partSize` bytes, pulling only as it fills them, so a
/// part that is not asked for is not read from the client.
struct PartProducer {
    let partSize: Int
    let budget: MemoryBudget?
    let pool: PartBufferPool?
    /// What each part's `digest` is.
    let checksum: S3Checksum
    /// Bytes already pulled that belong to the next part (a chunk that crossed a part boundary).
    private var carry: ByteBuffer?
    private var ended = false
    /// Parts handed out so far.
    private var made = 0

    init(partSize: Int, budget: MemoryBudget?, pool: PartBufferPool?, checksum: S3Checksum = .none) {
        self.partSize = partSize
        self.budget = budget
        self.pool = pool
        self.checksum = checksum
    }

    /// The next part, up to `partSize` bytes, with its `digest`; nil once the body has ended
    /// and nothing is left. The part's bytes are charged to the budget; ``Part/release()``
    /// gives them back.
    mutating func next(from body: inout ChainOutput) async throws -> Part? {
        var part = Part(budget: budget, pool: pool, size: partSize)
        part.isFirst = made == 0
        // A reused buffer comes charged in full (its pages are all in memory already).
        if let charge = pool?.take(size: partSize, into: &part.bytes) {
            part.adopt(charge: charge)
        } else if made > 0, let budget {
            // The body goes on past the first part, so this one is charged whole before it
            // starts: waiting for room, it can take a finished part's buffer instead of faulting
            // in a fresh one. (A first part is charged as it fills: most uploads are small.)
            let charge = MemoryBudget.granules(partSize)
            if var handed = try await budget.acquirePart(charge) {
                handed.clear()
                part.bytes = consume handed
            }
            part.adopt(charge: charge)
        }
        made += 1
        var sum = PartChecksum(checksum)
        do {
            while part.bytes.readableBytes < partSize {
                guard var chunk = try await take(from: &body) else { break }
                let room = partSize - part.bytes.readableBytes
                if chunk.readableBytes > room {
                    var head = chunk.readSlice(length: room)!
                    carry = chunk
                    try await part.append(&head, summing: &sum)
                } else {
                    try await part.append(&chunk, summing: &sum)
                }
            }
        } catch {
            part.release()
            throw error
        }
        if part.bytes.readableBytes == 0 && ended {
            part.release()
            return nil
        }
        part.digest = sum.finalize()
        return part
    }

    /// Whether the body has no more bytes: pulls one chunk ahead if it must find out.
    mutating func isAtEnd(_ body: inout ChainOutput) async throws -> Bool {
        if carry == nil, !ended {
            carry = try await body.next()
            ended = carry == nil
        }
        return ended && carry == nil
    }

    private mutating func take(from body: inout ChainOutput) async throws -> ByteBuffer? {
        if let chunk = carry {
            carry = nil
            return chunk
        }
        if ended { return nil }
        guard let chunk = try await body.next() else {
            ended = true
            return nil
        }
        return chunk
    }
}

/// One part's bytes, with the memory it holds charged to a budget.
struct Part: Sendable {
    var bytes = ByteBuffer()
    /// The S3 checksum of `bytes`, when it was taken as they were copied in (nil: not taken).
    var digest: [UInt8]?
    let budget: MemoryBudget?
    let pool: PartBufferPool?
    /// The part size: the most bytes it will hold.
    let size: Int
    /// The charge of a full part.
    let whole: Int
    private(set) var charged = 0
    /// The upload's first part: its first charge is the upload's start.
    var isFirst = false

    /// `size`: the part size (the pool's when nil).
    init(budget: MemoryBudget?, pool: PartBufferPool? = nil, size: Int? = nil) {
        self.budget = budget
        self.pool = pool
        self.size = size ?? pool?.partSize ?? 0
        self.whole = MemoryBudget.granules(self.size)
    }

    mutating func append(_ chunk: inout ByteBuffer, summing sum: inout PartChecksum) async throws {
        let total = bytes.readableBytes + chunk.readableBytes
        try await charge(total)
        // A fresh buffer grows with its bytes (doubling), never ahead of them to the whole part:
        // what a client claims reserves nothing.
        if bytes.capacity < total { bytes.reserveCapacity(Swift.min(Swift.max(size, total), Swift.max(total, bytes.capacity * 2))) }
        sum.copy(&chunk, to: &bytes)
    }

    /// Appends without taking a checksum.
    mutating func append(_ chunk: inout ByteBuffer) async throws {
        var none = PartChecksum(.none)
        try await append(&chunk, summing: &none)
    }

    /// Makes sure `total` bytes are charged to the budget, waiting for room if need be.
    ///
    /// A fresh part is charged granule by granule as its bytes arrive, so a client that sends
    /// a little and stalls holds only what it sent. A part that waits in the middle tells the
    /// budget what it holds (``MemoryBudget``'s `holding`), so that when only such waiters
    /// hold the budget the first of them goes ahead rather than all waiting for each other.
    /// The very first charge of an upload is the one that may time out: an upload that cannot
    /// start is refused rather than queued forever.
    mutating func charge(_ total: Int) async throws {
        guard let budget, total > charged else { return }
        let grant = MemoryBudget.granules(total - charged)
        try await budget.acquire(grant, holding: charged, starting: charged == 0 && isFirst)
        charged += grant
    }

    /// Takes over a charge already made for the buffer (a pooled one).
    mutating func adopt(charge: Int) {
        charged += charge
    }

    /// Returns the buffer to the pool, which may keep its share of the budget, and releases
    /// the rest (call when the part is sent, or abandoned).
    mutating func release() {
        let done = bytes
        bytes = ByteBuffer()
        digest = nil
        let unkept = pool?.give(consume done, charge: charged) ?? charged
        if unkept > 0 { budget?.release(unkept) }
        charged = 0
    }
}
