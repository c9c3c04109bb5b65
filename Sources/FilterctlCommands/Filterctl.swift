import ArgumentParser
import Filters
import Sluice
import Synchronization

/// `filterctl`: try upload policies on real files before deploying them.
struct Filterctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filterctl",
        abstract: "Run files through Sluice filter chains and check configs.",
        discussion: "Exit status: 0 all accepted, 1 any rejected, 2 usage, config or I/O error.",
        subcommands: [TestCommand.self, PutCommand.self, ValidateCommand.self, FiltersCommand.self]
    )

    /// The filters config files may name: the standard ones, or those given to
    /// ``FilterctlMain/run(registry:)``, set once before the command line is read.
    static var registry: FilterRegistry {
        get { chosenRegistry.withLock { $0 } }
        set { chosenRegistry.withLock { $0 = newValue } }
    }
    private static let chosenRegistry = Mutex(FilterRegistry.standard)
}
