import Filters
import NIOCore
@testable import S3
@testable import Storage
import Testing

/// Idle pooled buffers are resident memory: they stay charged to the budget, and give way to
/// uploads that need room.
@Suite struct PartBufferPoolTests {
    let partSize = 2 << 20

    /// A part filled to `partSize` from the pool, as PartProducer makes them.
    func filledPart(_ budget: MemoryBudget, _ pool: PartBufferPool) async throws -> Part {
        var part = Part(budget: budget, pool: pool)
        if let charge = pool.take(size: partSize, into: &part.bytes) { part.adopt(charge: charge) }
        var chunk = ByteBuffer(repeating: 7, count: partSize)
        try await part.append(&chunk)
        return part
    }

    @Test func anIdleBufferKeepsItsChargeAndTheNextPartTakesItOver() async throws {
        let budget = MemoryBudget(limit: 8 << 20)
        let pool = PartBufferPool(partSize: partSize, keep: 4, budget: budget)
        var part = try await filledPart(budget, pool)
        #expect(budget.used == partSize)
        part.release()
        #expect(budget.used == partSize, "the idle buffer's pages are still resident")
        var next = try await filledPart(budget, pool)
        #expect(budget.used == partSize, "the reused buffer came charged; filling it charged nothing more")
        next.release()
        #expect(budget.used == partSize)
    }

    @Test func aShortfallFreesIdleBuffersBeforeAnyoneWaits() async throws {
        let budget = MemoryBudget(limit: 4 << 20)
        let pool = PartBufferPool(partSize: partSize, keep: 4, budget: budget)
        var first = try await filledPart(budget, pool)
        var second = try await filledPart(budget, pool)
        first.release()
        second.release()
        #expect(budget.used == 4 << 20)
        // A fresh part of another size cannot use the pool: the idle buffers must make room.
        try await budget.acquire(3 << 20)
        #expect(budget.used <= 4 << 20)
        #expect(budget.used >= 3 << 20)
    }

    @Test func aBufferGivenBackWhileSomeoneWaitsIsNotKept() async throws {
        let budget = MemoryBudget(limit: 2 << 20)
        let pool = PartBufferPool(partSize: partSize, keep: 4, budget: budget)
        var part = try await filledPart(budget, pool)
        let waiting = Task { try await budget.acquire(2 << 20) }
        while !budget.hasWaiters { try await Task.sleep(for: .milliseconds(5)) }
        part.release()
        try await waiting.value
        #expect(budget.used == 2 << 20, "the waiter holds the budget, the pool nothing")
        var buffer = ByteBuffer()
        #expect(pool.take(size: partSize, into: &buffer) == nil, "the buffer was freed, not pooled")
    }

    /// A fresh buffer grows with its bytes (doubling): 5 MiB of an 8 MiB part sit in a
    /// buffer of 8, which the pool keeps, charged in full.
    @Test func aShortPartIsToppedUpToAFullChargeWhenPooled() async throws {
        let eight = 8 << 20
        let budget = MemoryBudget(limit: 16 << 20)
        let pool = PartBufferPool(partSize: eight, keep: 4, budget: budget)
        var part = Part(budget: budget, pool: pool)
        _ = pool.take(size: eight, into: &part.bytes)
        #expect(part.bytes.capacity < MemoryBudget.granule, "a fresh buffer was reserved ahead of its bytes")
        var chunk = ByteBuffer(repeating: 1, count: 5 << 20)
        try await part.append(&chunk)
        #expect(budget.used == 5 << 20)
        #expect(part.bytes.capacity == eight)
        part.release()
        #expect(budget.used == eight, "an idle buffer is charged for all its pages")
    }

    /// A part that stayed small has a small buffer: not worth keeping, it is freed with its charge.
    @Test func aSmallPartsBufferIsNotPooled() async throws {
        let budget = MemoryBudget(limit: 8 << 20)
        let pool = PartBufferPool(partSize: partSize, keep: 4, budget: budget)
        var part = Part(budget: budget, pool: pool)
        _ = pool.take(size: partSize, into: &part.bytes)
        var chunk = ByteBuffer(repeating: 1, count: 1000)
        try await part.append(&chunk)
        #expect(budget.used == MemoryBudget.granule)
        #expect(part.bytes.capacity < MemoryBudget.granule)
        part.release()
        #expect(budget.used == 0)
    }

    @Test func anUploadStartingAPartTakesAFinishedPartsBuffer() async throws {
        let budget = MemoryBudget(limit: partSize)
        let pool = PartBufferPool(partSize: partSize, keep: 4, budget: budget)
        var part = try await filledPart(budget, pool)
        let starting = Task { try await budget.acquirePart(partSize) }
        while !budget.hasWaiters { try await Task.sleep(for: .milliseconds(5)) }
        part.release()
        let handed = try #require(try await starting.value, "the waiter got room instead of the buffer")
        #expect(handed.capacity >= partSize)
        #expect(budget.used == partSize, "the charge moved with the buffer")
        var buffer = ByteBuffer()
        #expect(pool.take(size: partSize, into: &buffer) == nil, "the buffer went to the waiter, not the pool")
    }

    @Test func anUploadWaitingForRoomAheadInTheQueueIsServedFirst() async throws {
        let budget = MemoryBudget(limit: partSize)
        let pool = PartBufferPool(partSize: partSize, keep: 4, budget: budget)
        var part = try await filledPart(budget, pool)
        let filling = Task { try await budget.acquire(MemoryBudget.granule) }
        while !budget.hasWaiters { try await Task.sleep(for: .milliseconds(5)) }
        let starting = Task { try await budget.acquirePart(partSize) }
        try await Task.sleep(for: .milliseconds(30))
        // The head waits for room, not for a buffer: it gets the charge, and the buffer is freed.
        part.release()
        try await filling.value
        #expect(budget.used == MemoryBudget.granule)
        budget.release(MemoryBudget.granule)
        #expect(try await starting.value == nil, "room was granted: no buffer was left to hand over")
        #expect(budget.used == partSize)
    }
}
