import ArgumentParser
import Filters
import Foundation

/// The `filterctl` program, for a `main` of your own whose filters it should know:
///
/// ```swift
/// var registry = FilterRegistry.standard
/// registry.register(DenyWordFilter.definition)
/// await FilterctlMain.run(registry: registry)
/// ```
///
/// It exits with filterctl's documented codes: argument-parser's own usage errors (64) become 2,
/// like config and I/O errors.
public enum FilterctlMain {
    public static func run(registry: FilterRegistry = .standard) async -> Never {
        Filterctl.registry = registry
        do {
            var command = try Filterctl.parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigError {
            FileHandle.standardError.write("filterctl: \(error)\n")
            exit(ExitStatus.failure)
        } catch let error as CLIError {
            FileHandle.standardError.write("filterctl: \(error.message)\n")
            exit(ExitStatus.failure)
        } catch {
            let code = Filterctl.exitCode(for: error)
            // --help and --version print and exit 0; `test` ends with ExitCode(1) when it rejected.
            if code == .success { Filterctl.exit(withError: error) }
            if code.rawValue == ExitStatus.rejected || code.rawValue == ExitStatus.failure { exit(code.rawValue) }
            FileHandle.standardError.write(Filterctl.fullMessage(for: error) + "\n")
            exit(ExitStatus.failure)
        }
        exit(0)
    }
}
