#if canImport(Glibc)
import Glibc
#endif

/// How the server asks glibc to place large blocks. Part buffers (5 MiB and up) are freed
/// when the memory budget runs short; glibc's default moves its mmap threshold up after the
/// first such free, so later buffers come from heap arenas that keep their pages after a free
/// and the process stays above its budget (8 uploads of 64 MiB: peak RSS 160-195 MiB).
/// A fixed threshold keeps every large block in a mapping of its own, returned on free
/// (153-155 MiB, same speed).
enum MallocPolicy {
    static let mmapThreshold: Int32 = 4 << 20

    static func apply() {
        #if canImport(Glibc)
        // mallopt is in <malloc.h>, which Swift's Glibc module leaves out: looked up by name.
        // M_MMAP_THRESHOLD is -3 in glibc's ABI.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, mmapThreshold)
        #endif
    }
}
