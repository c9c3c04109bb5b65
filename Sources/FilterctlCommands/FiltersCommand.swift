import ArgumentParser
import Filters
import Sluice

/// `filterctl filters`: the registered filters, their options and defaults.
struct FiltersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters",
        abstract: "List the filters config files can use, with their options and defaults."
    )

    func run() throws {
        var lines: [String] = []
        for definition in Filterctl.registry.all {
            lines.append(definition.name)
            lines.append("  \(definition.summary)")
            for option in definition.options {
                let fallback = option.defaultValue.map { " (default: \($0))" } ?? ""
                lines.append("  \(option.name): \(option.type)\(fallback)")
                lines.append("      \(option.summary)")
            }
            lines.append("")
        }
        print(lines.joined(separator: "\n"), terminator: "")
    }
}
