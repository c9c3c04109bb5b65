import CPlatform

/// libc's memmem: the fastest substring search at hand (glibc's is vectorized), through
/// CPlatform, since Swift's Glibc module does not declare it.
enum Memmem {
    /// The offset of the first `needle` in `haystack`, or nil.
    static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
        guard needle.count > 0, haystack.count >= needle.count else { return nil }
        guard let found = sluice_memmem(haystack.baseAddress, haystack.count, needle.baseAddress, needle.count) else { return nil }
        return haystack.baseAddress!.distance(to: UnsafeRawPointer(found))
    }
}
