import CPlatform
import Filters
import S3

/// How the server asks glibc to place and return memory (figures: docs/PERFORMANCE.md). Part
/// buffers (5 MiB and up) are freed when the memory budget runs short; glibc's default moves its
/// mmap threshold up after the first such free, so later buffers come from heap arenas that keep
/// their pages after a free and the process stays above its budget. A fixed mmap threshold keeps
/// every large block in a mapping of its own, returned on free. Fixing it also fixes the trim
/// threshold at 128 KiB, so every freed socket read buffer at the top of a heap would go back to
/// the kernel and be faulted in again; 4 MiB keeps them.
///
/// One arena for all threads: each arena keeps up to the trim threshold of freed memory, and the
/// digest and S3 threads would each bring one. The blocks that would contend are few (socket
/// read buffers, reused by NIO); small ones come from each thread's tcache without the arena's
/// lock. Set before any other thread has malloc'd.
enum MallocPolicy {
    static let mmapThreshold: Int32 = 4 << 20
    static let trimThreshold: Int32 = 4 << 20
    static let arenas: Int32 = 1

    static func apply() {
        _ = sluice_malloc_policy(mmapThreshold, trimThreshold, arenas)
    }
}
