import Filters
import NIOCore
@testable import S3
@testable import Storage
import TestSupport
import Testing

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
                // Only a deadlock gets here: long enough for a loaded CI machine's slowest minute.
                try await Task.sleep(for: .seconds(60))
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
        // Loose: server tests running beside this one block the cooperative threads its timer
        // needs (9 s once, under a fuzzer); what matters is that the wait ends.
        #expect(ContinuousClock.now - started < .seconds(60))
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
