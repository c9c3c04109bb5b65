import Synchronization

/// Where a task leaves its result for a thread that waits on it: a Mutex cannot be captured by
/// an escaping closure itself, being non-copyable, so a class holds it.
final class ResultSlot<T: Sendable>: Sendable {
    let value = Mutex<T?>(nil)
}
