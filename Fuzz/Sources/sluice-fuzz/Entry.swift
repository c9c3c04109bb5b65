#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The target `LLVMFuzzerInitialize` picked. Written once there, before libFuzzer runs the first
/// input, and only read afterwards, all on libFuzzer's one thread.
nonisolated(unsafe) private var selectedTarget: (any FuzzTarget.Type)?

/// libFuzzer calls this once at start: the target comes from `SLUICE_FUZZ_TARGET` (one binary
/// for all targets keeps the instrumented build to one link), invariants to leave unchecked
/// from `SLUICE_FUZZ_SKIP` (comma-separated names, see `Invariant`).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> Int32 {
    let names = FuzzTargets.all.map { $0.name }.joined(separator: ", ")
    guard let value = getenv("SLUICE_FUZZ_TARGET") else {
        StandardError.write("sluice-fuzz: set SLUICE_FUZZ_TARGET to one of: \(names)\n")
        exit(2)
    }
    let name = String(cString: value)
    guard let target = FuzzTargets.named(name) else {
        StandardError.write("sluice-fuzz: unknown target \"\(name)\"; known: \(names)\n")
        exit(2)
    }
    selectedTarget = target
    if let skip = getenv("SLUICE_FUZZ_SKIP") {
        Invariant.skip(String(cString: skip).split(separator: ",").map { String($0) })
    }
    return 0
}

/// libFuzzer calls this for every input (through `FuzzMain`, which hands it to the driver).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget?.run(bytes)
    return 0
}
