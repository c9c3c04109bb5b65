import Synchronization

/// The tasks answering requests, so that stopping the server can cancel those still running
/// (which aborts their uploads) once the graceful shutdown's time is up.
final class RequestTasks: Sendable {
    private let running = Mutex<(next: Int, tasks: [Int: Task<Void, Never>], cancelled: Bool)>((0, [:], false))
    /// The server's own priority: a task started from an event loop would otherwise run at the
    /// default one, in another of the pool's queues than the tasks it starts and waits for.
    private let priority: TaskPriority

    init(priority: TaskPriority) {
        self.priority = priority
    }

    /// Runs `work` in a task of its own, cancelled by ``cancelAll()``.
    func start(_ work: @escaping @Sendable () async -> Void) {
        running.withLock { state in
            state.next += 1
            let id = state.next
            // Created under the lock, so the task's own removal comes after its entry.
            let task = Task(priority: priority) {
                await work()
                _ = self.running.withLock { $0.tasks.removeValue(forKey: id) }
            }
            if state.cancelled {
                task.cancel()
            } else {
                state.tasks[id] = task
            }
        }
    }

    func cancelAll() {
        let tasks = running.withLock { state in
            state.cancelled = true
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
    }

    var count: Int { running.withLock { $0.tasks.count } }
}
