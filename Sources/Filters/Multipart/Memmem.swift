#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libc's memmem: the fastest substring search at hand (glibc's is vectorized). glibc declares
/// it only under _GNU_SOURCE, which Swift's Glibc module leaves unset, so it is looked up once
/// by name; the C library always has it.
enum Memmem {
    typealias Function = @convention(c) (UnsafeRawPointer?, Int, UnsafeRawPointer?, Int) -> UnsafeMutableRawPointer?

    static let function: Function = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memmem") else {
            fatalError("the C library has no memmem")
        }
        return unsafeBitCast(symbol, to: Function.self)
    }()

    /// The offset of the first `needle` in `haystack`, or nil.
    static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
        guard needle.count > 0, haystack.count >= needle.count else { return nil }
        guard let found = function(haystack.baseAddress, haystack.count, needle.baseAddress, needle.count) else { return nil }
        return haystack.baseAddress!.distance(to: UnsafeRawPointer(found))
    }
}
