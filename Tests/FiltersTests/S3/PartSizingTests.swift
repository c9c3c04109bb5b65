@testable import Filters
import TestSupport
import NIOCore
import Testing

@Suite struct PartSizingTests {
    @Test func partSizeGrowsOnlyWhenTenThousandPartsWouldNotDo() {
        let eight = 8 << 20
        let largest = PartSizing.largestPart(configured: eight, budget: nil)
        #expect(PartSizing.partSize(configured: eight, declaredLength: nil, largest: largest) == eight)
        #expect(PartSizing.partSize(configured: eight, declaredLength: 1 << 30, largest: largest) == eight)
        #expect(PartSizing.partSize(configured: eight, declaredLength: Int64(eight) * 10_000, largest: largest) == eight)
        // 200 GiB: 8 MiB parts would need 25,600 parts.
        let grown = PartSizing.partSize(configured: eight, declaredLength: 200 << 30, largest: largest)
        #expect(grown % (1 << 20) == 0)
        #expect(Int64(grown) * 10_000 >= (200 << 30) + (200 << 30) / 100)
        #expect(grown < 22 << 20)
        // 5 TiB, S3's largest object.
        #expect(Int64(PartSizing.partSize(configured: eight, declaredLength: 5 << 40, largest: largest)) * 10_000 >= 5 << 40)
    }

    /// A declared length is a claim: whatever it says, a part never outgrows a quarter of the
    /// memory budget or what a buffer holds (40 TB once asked for a 4 GiB+ buffer and trapped).
    @Test(arguments: [Int64(40) << 40, Int64.max, Int64(5) << 40])
    func aClaimCannotGrowAPartPastMemory(declared: Int64) {
        let eight = 8 << 20
        let budget = 88 << 20
        let largest = PartSizing.largestPart(configured: eight, budget: budget)
        #expect(largest == 22 << 20)
        #expect(PartSizing.partSize(configured: eight, declaredLength: declared, largest: largest) == largest)
        // Without a budget, a buffer's limit still holds.
        let unbudgeted = PartSizing.largestPart(configured: eight, budget: nil)
        #expect(unbudgeted <= Int(UInt32.max))
        #expect(PartSizing.partSize(configured: eight, declaredLength: declared, largest: unbudgeted) <= unbudgeted)
    }

    /// One upload holds at most half the budget: with large parts it keeps fewer in flight.
    @Test func anUploadKeepsToItsShare() {
        #expect(PartSizing.concurrency(configured: 4, partSize: 8 << 20, budget: 88 << 20) == 4)
        #expect(PartSizing.concurrency(configured: 4, partSize: 22 << 20, budget: 88 << 20) == 1)
        #expect(PartSizing.concurrency(configured: 4, partSize: 8 << 20, budget: nil) == 4)
        // A configured part larger than a quarter of the budget still gets one in flight.
        #expect(PartSizing.largestPart(configured: 5 << 20, budget: 8 << 20) == 5 << 20)
        #expect(PartSizing.concurrency(configured: 2, partSize: 5 << 20, budget: 8 << 20) == 1)
    }
}

@Suite struct MemoryBudgetTests {
    @Test func waitsUntilBytesAreReleased() async throws {
        let budget = MemoryBudget(limit: 4 << 20)
        try await budget.acquire(3 << 20)
        let waiting = Task { try await budget.acquire(2 << 20) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(budget.used == 3 << 20)
        budget.release(3 << 20)
        try await waiting.value
        #expect(budget.used == 2 << 20)
    }

    @Test func firstComeFirstServed() async throws {
        let budget = MemoryBudget(limit: 4 << 20)
        try await budget.acquire(4 << 20)
        let large = Task { try await budget.acquire(3 << 20) }
        while !budget.hasWaiters { try await Task.sleep(for: .milliseconds(5)) }
        let small = Task { try await budget.acquire(1 << 20) }
        try await Task.sleep(for: .milliseconds(30))
        // Room for the small request but not for the large one at the head: no one goes.
        budget.release(1 << 20)
        try await Task.sleep(for: .milliseconds(30))
        #expect(budget.used == 3 << 20, "the small request overtook the large one")
        budget.release(3 << 20)
        try await large.value
        try await small.value
        #expect(budget.used == 4 << 20)
    }

    /// Four uploads each hold the first half of a part and want the rest: charged granule by
    /// granule under a budget of four halves, they would all wait for good. The head goes
    /// over the limit instead, finishes, and lets the others through.
    @Test func partsStuckHalfFilledStillFinish() async throws {
        struct Stuck: Error {}
        let half = 1 << 20
        let budget = MemoryBudget(limit: 4 * half)
        var parts: [Part] = []
        for _ in 0..<4 {
            var part = Part(budget: budget, size: 2 * half)
            var chunk = ByteBuffer(repeating: 1, count: half)
            try await part.append(&chunk)
            parts.append(part)
        }
        #expect(budget.used == 4 * half)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for part in parts {
                group.addTask {
                    var part = part
                    var rest = ByteBuffer(repeating: 2, count: half)
                    try await part.append(&rest)
                    #expect(budget.used <= 5 * half, "over the limit by more than one part")
                    part.release()
                    return true
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                throw Stuck()
            }
            for _ in 0..<4 { _ = try await group.next() }
            group.cancelAll()
        }
        #expect(budget.used == 0)
    }

    @Test func aRequestLargerThanTheBudgetRunsAlone() async throws {
        let budget = MemoryBudget(limit: 1 << 20)
        try await budget.acquire(8 << 20)
        #expect(budget.used == 8 << 20)
        budget.release(8 << 20)
        #expect(budget.used == 0)
    }

    /// An upload that cannot start waits at most `startTimeout`, then is refused; one that
    /// has started (holding memory already) waits on. Withdrawn from the head, it lets a
    /// smaller request that fits go.
    @Test func anUploadThatCannotStartGivesUp() async throws {
        let budget = MemoryBudget(limit: 2 << 20, startTimeout: .milliseconds(200))
        try await budget.acquire(2 << 20)
        let started = ContinuousClock.now
        await #expect(throws: MemoryBudget.Exhausted.self) { try await budget.acquire(1 << 20, starting: true) }
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(!budget.hasWaiters)
        // A started upload's wait does not time out.
        let midway = Task { try await budget.acquire(1 << 20, holding: 1 << 20) }
        try await Task.sleep(for: .milliseconds(400))
        #expect(budget.hasWaiters)
        budget.release(1 << 20)
        try await midway.value
        #expect(budget.used == 2 << 20)
        budget.release(2 << 20)
        // A large start at the head gives up; the small one behind it fits and goes.
        try await budget.acquire(1 << 20)
        let large = Task { try await budget.acquire(2 << 20, starting: true) }
        while !budget.hasWaiters { try await Task.sleep(for: .milliseconds(5)) }
        let small = Task { try await budget.acquire(1 << 20) }
        await #expect(throws: MemoryBudget.Exhausted.self) { try await large.value }
        try await small.value
        #expect(budget.used == 2 << 20)
    }

    @Test func cancelledWaitersLeave() async throws {
        let budget = MemoryBudget(limit: 1 << 20)
        try await budget.acquire(1 << 20)
        let waiting = Task { try await budget.acquire(1 << 20) }
        try await Task.sleep(for: .milliseconds(30))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        budget.release(1 << 20)
        #expect(budget.used == 0)
        // Cancelled before it even queued.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await budget.acquire(1 << 30)
        }
        await #expect(throws: CancellationError.self) { try await early.value }
    }
}
