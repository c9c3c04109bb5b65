import ArgumentParser
import Filters
import Foundation

/// The `UploadServer` program, for a `main` of your own that adds filters:
///
/// ```swift
/// var registry = FilterRegistry.standard
/// registry.register(DenyWordFilter.definition)
/// UploadServerMain.run(registry: registry)
/// ```
///
/// It reads `--config` (sluice.yaml), logs to standard error at LOG_LEVEL, serves until SIGTERM
/// or SIGINT, and exits 2 on a config or start-up error.
public enum UploadServerMain {
    public static func run(registry: FilterRegistry = .standard) -> Never {
        do {
            let command = try UploadServerCommand.parse()
            try command.run(registry: registry)
            exit(0)
        } catch {
            UploadServerCommand.exit(withError: error)
        }
    }
}
