import NIOCore
import Synchronization

/// How many helper threads (digests, gzip blocks) may run at once in the process. A thread
/// beside an upload's reader pays only while a core would otherwise idle: with more uploads than
/// cores, the readers keep the cores busy and extra threads would add only hand-offs and held
/// chunks. Work that finds no free slot runs on the upload's own task, and looks again later.
final class ThreadSlots: Sendable {
    /// One per core, shared by every upload in the process.
    static let shared = ThreadSlots(System.coreCount)

    let limit: Int
    private let taken = Atomic<Int>(0)

    init(_ limit: Int) { self.limit = limit }

    /// Takes a slot if one is free.
    func take() -> Bool {
        var current = taken.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, seen) = taken.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = seen
        }
        return false
    }

    func give() { taken.subtract(1, ordering: .acquiringAndReleasing) }

    /// Slots taken now.
    var inUse: Int { taken.load(ordering: .relaxed) }
}
