import ArgumentParser
import Filters
import Foundation

/// Runs filterctl with its documented exit codes: argument-parser's own usage errors (64)
/// become 2, like config and I/O errors.
@main
enum Entry {
    static func main() async {
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
    }
}

enum ExitStatus {
    static let rejected: Int32 = 1
    static let failure: Int32 = 2
}

/// A problem with the command line or the files it names: a message and exit status 2.
struct CLIError: Error {
    var message: String
}

extension FileHandle {
    func write(_ text: String) { write(Data(text.utf8)) }
}
