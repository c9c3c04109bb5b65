import ArgumentParser
import Filters

/// `filterctl`: try upload policies on real files before deploying them.
struct Filterctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filterctl",
        abstract: "Run files through Sluice filter chains and check configs.",
        discussion: "Exit status: 0 all accepted, 1 any rejected, 2 usage, config or I/O error.",
        subcommands: [TestCommand.self, PutCommand.self, ValidateCommand.self, FiltersCommand.self]
    )

    /// The filters config files may name. A build with custom filters registers them here.
    static let registry = FilterRegistry.standard
}
