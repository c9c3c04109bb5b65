@testable import Filters
import TestSupport
import NIOCore
import Testing

@Suite struct PartSizingTests {
    @Test func partSizeGrowsOnlyWhenTenThousandPartsWouldNotDo() {
        let eight = 8 << 20
        #expect(PartSizing.partSize(configured: eight, declaredLength: nil) == eight)
        #expect(PartSizing.partSize(configured: eight, declaredLength: 1 << 30) == eight)
        #expect(PartSizing.partSize(configured: eight, declaredLength: Int64(eight) * 10_000) == eight)
        // 200 GiB: 8 MiB parts would need 25,600 parts.
        let grown = PartSizing.partSize(configured: eight, declaredLength: 200 << 30)
        #expect(grown % (1 << 20) == 0)
        #expect(Int64(grown) * 10_000 >= (200 << 30) + (200 << 30) / 100)
        #expect(grown < 22 << 20)
        // 5 TiB, S3's largest object.
        #expect(Int64(PartSizing.partSize(configured: eight, declaredLength: 5 << 40)) * 10_000 >= 5 << 40)
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
