import NIOCore
import Synchronization

extension DigestWorker {
    /// How many digest threads may run at once. A thread beside the reader pays only while a
    /// core would otherwise idle: with more uploads than cores, the readers keep the cores busy
    /// and extra threads would add only hand-offs and held chunks. Uploads that find no free
    /// slot hash on their own task, and look again at each chunk.
    final class Slots: Sendable {
        /// One per core, shared by every upload in the process.
        static let shared = Slots(System.coreCount)

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
}
