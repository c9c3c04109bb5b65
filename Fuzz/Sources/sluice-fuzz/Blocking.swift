import Dispatch
import Synchronization

/// Runs async code to its end from the fuzzer's synchronous callback: on the global executor,
/// with the calling thread waiting. (MultipartReader's API is async; its source never waits here.)
enum Blocking {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
        let slot = ResultSlot<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await operation()
            slot.value.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return slot.value.withLock { $0! }
    }
}
