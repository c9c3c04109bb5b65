import Filters
import NIOCore
import Synchronization

/// Part buffers kept for reuse. A fresh 8 MiB buffer per part costs page faults on every byte
/// and leaves glibc holding freed blocks; reusing a few keeps memory at what is in use. Idle
/// buffers stay charged to the budget (their pages are resident). When the budget runs short
/// or someone waits, a buffer goes straight to an upload starting a part, with its charge, or
/// is freed for one that needs room.
final class PartBufferPool: IdleMemoryHolder {
    let partSize: Int
    /// How many idle buffers to keep.
    let keep: Int
    let budget: MemoryBudget?
    /// What an idle buffer holds of the budget: its whole size, in the budget's granules.
    private let fullCharge: Int
    /// Oldest first: the longer a buffer waited, the likelier no one else holds it.
    private let idle = Mutex<[(buffer: ByteBuffer, charge: Int)]>([])

    init(partSize: Int, keep: Int, budget: MemoryBudget?) {
        self.partSize = partSize
        self.keep = keep
        self.budget = budget
        self.fullCharge = MemoryBudget.granules(partSize)
        budget?.register(self)
    }

    /// Puts an empty buffer for a part of `size` bytes into `buffer` (from the pool, with room
    /// for all of them, when the size is the usual one). Returns the budget charge that comes with a reused buffer (all its
    /// pages are in memory), or nil for a fresh one, charged as it fills. (An inout rather
    /// than a result: a second reference to the buffer, even briefly, would make its first
    /// write copy all of it.)
    func take(size: Int, into buffer: inout ByteBuffer) -> Int? {
        if size == partSize, var reused = idle.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            // Cleared now rather than when given back: the HTTP client lets go of a sent part
            // a moment after the request returns, and clear() on a shared buffer allocates.
            reused.buffer.clear()
            buffer = reused.buffer
            return reused.charge
        }
        // A fresh buffer grows as its bytes arrive (Part.append).
        buffer = ByteBuffer()
        return nil
    }

    /// Takes a buffer back with the budget `charge` it holds, and returns what of that charge
    /// the pool did not keep (the caller releases it). If someone still holds the buffer (an
    /// HTTP write in progress), the next write into it copies first, so reuse is always safe;
    /// it is just cheaper when unshared.
    func give(_ buffer: consuming ByteBuffer, charge: Int) -> Int {
        guard buffer.capacity >= partSize else { return charge }
        if let budget, budget.hasWaiters {
            // An upload starting a part takes the buffer as it is; one waiting for room to fill
            // its part gets the charge (the buffer is freed).
            guard charge == fullCharge, budget.handOver(consume buffer, charge: charge) == nil else { return charge }
            return 0
        }
        var kept = charge
        if let budget, charge < fullCharge {
            guard budget.tryAcquire(fullCharge - charge) else { return charge }
            kept = fullCharge
        }
        let entry = (buffer: consume buffer, charge: kept)
        let accepted = idle.withLock { idle in
            guard idle.count < keep else { return false }
            idle.append(entry)
            return true
        }
        guard accepted else {
            if kept > charge { budget?.release(kept - charge) }
            return charge
        }
        // A wait that began after the look above found the pool empty: hand this one over.
        if let budget, budget.hasWaiters { budget.reclaimIdle(for: fullCharge) }
        return 0
    }

    func giveUpIdle(_ bytes: Int) -> Int {
        guard let budget else { return 0 }
        var freed = 0
        while freed < bytes, let (buffer, charge) = idle.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            // Handed over whole to an upload starting a part, or freed here, outside the lock.
            if budget.handOver(consume buffer, charge: charge) != nil { freed += charge }
        }
        return freed
    }
}
