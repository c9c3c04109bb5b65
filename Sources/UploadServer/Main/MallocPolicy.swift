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
/// page faults per GiB); 16 MiB keeps them (a handful per GiB) at the same peak RSS.
enum MallocPolicy {
    static let mmapThreshold: Int32 = 4 << 20
    static let trimThreshold: Int32 = 4 << 20

    static func apply() {
        #if canImport(Glibc)
        // mallopt is in <malloc.h>, which Swift's Glibc module leaves out: looked up by name.
        // M_TRIM_THRESHOLD is -1 and M_MMAP_THRESHOLD -3 in glibc's ABI.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, mmapThreshold)
        _ = mallopt(-1, trimThreshold)
        #endif
    }
}
