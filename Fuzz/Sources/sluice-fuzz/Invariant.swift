#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A property a target checks on each answer. A broken one prints what was expected and aborts,
/// which libFuzzer reports as a crash and saves the input for; each has a name so that one known
/// to fail can be left out (`SLUICE_FUZZ_SKIP=key-length`) while the rest keep being checked.
enum Invariant {
    /// Names left unchecked. Set once in `LLVMFuzzerInitialize`, before any input runs.
    nonisolated(unsafe) private static var skipped: Set<String> = []

    static func skip(_ names: [String]) {
        skipped.formUnion(names)
    }

    static func check(_ name: String, _ holds: @autoclosure () -> Bool, _ detail: @autoclosure () -> String) {
        guard !skipped.contains(name), !holds() else { return }
        fail(name, detail())
    }

    static func fail(_ name: String, _ detail: String) -> Never {
        StandardError.write("sluice-fuzz: invariant \(name) broken: \(detail)\n")
        abort()
    }
}
