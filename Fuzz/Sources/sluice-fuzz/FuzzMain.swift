import CFuzzer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The program's entry: hands the command line to libFuzzer's driver (which calls
/// LLVMFuzzerInitialize, then LLVMFuzzerTestOneInput per input). SwiftPM links executables with
/// their entry point renamed, so libFuzzer's own main cannot be the one that runs.
@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzerTestOneInput(data, size) })
    }
}
