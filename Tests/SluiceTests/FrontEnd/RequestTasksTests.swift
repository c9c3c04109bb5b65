import Synchronization
import Testing

@testable import Sluice

/// The request tasks a stopping server cancels.
@Suite struct RequestTasksTests {
    @Test func cancelAllCancelsTheRunningTasksAndThoseStartedAfter() async throws {
        let tasks = RequestTasks(priority: .medium)
        let cancelled = Mutex(0)
        let work: @Sendable () async -> Void = {
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.withLock { $0 += 1 }
            }
        }
        for _ in 0..<3 { tasks.start(work) }
        #expect(tasks.count == 3)
        tasks.cancelAll()
        tasks.start(work)
        try await eventually { cancelled.withLock { $0 } == 4 && tasks.count == 0 }
    }

    @Test func aFinishedTaskLeaves() async throws {
        let tasks = RequestTasks(priority: .medium)
        let ran = Mutex(0)
        for _ in 0..<100 { tasks.start { ran.withLock { $0 += 1 } } }
        try await eventually { ran.withLock { $0 } == 100 && tasks.count == 0 }
    }

    /// Waits up to 30 s for `condition` (the whole suite runs at once and can keep the task
    /// pool busy for seconds).
    func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the condition did not hold within 30 s")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
