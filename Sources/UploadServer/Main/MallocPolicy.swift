#if canImport(Glibc)
import Glibc
#endif

/// How the server asks glibc to place and return memory. Part buffers (5 MiB and up) are freed
/// when the memory budget runs short; glibc's default moves its mmap threshold up after the
/// first such free, so later buffers come from heap arenas that keep their pages after a free
/// and the process stays above its budget (8 uploads of 64 MiB: peak RSS 160-195 MiB). A fixed
/// mmap threshold keeps every large block in a mapping of its own, returned on free (153-155
/// MiB, same speed). Fixing it also fixes the trim threshold at 128 KiB, so every freed socket
/// read buffer at the top of a heap went back to the kernel and was faulted in again (20-40k
/// page faults per GiB); 4 MiB keeps them (a handful per GiB) at the same peak RSS.
///
/// One arena for all threads: each arena keeps up to the trim threshold of freed memory, and the
/// digest and S3 threads each brought one (one 1 GiB upload peaked at 73-77 MiB, or 85 once; with
/// one arena 72-73 every time; 8 x 64 MiB 148-153 to 147-152). The blocks that would contend are
/// few (socket read buffers, reused by NIO); small ones come from each thread's tcache without
/// the arena's lock (paired rounds: the same MB/s). Set before any other thread has malloc'd.
enum MallocPolicy {
    static let mmapThreshold: Int32 = 4 << 20
    static let trimThreshold: Int32 = 4 << 20
    static let arenas: Int32 = 1

    static func apply() {
        #if canImport(Glibc)
        // mallopt is in <malloc.h>, which Swift's Glibc module leaves out: looked up by name.
        // M_TRIM_THRESHOLD is -1, M_MMAP_THRESHOLD -3 and M_ARENA_MAX -8 in glibc's ABI.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, mmapThreshold)
        _ = mallopt(-1, trimThreshold)
        _ = mallopt(-8, arenas)
        #endif
    }
}
