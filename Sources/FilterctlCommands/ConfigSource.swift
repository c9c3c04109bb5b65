import ArgumentParser
import Filters
import Foundation
import Sluice

/// `--config` and `--chain`, shared by the commands that run chains.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: ./sluice.yaml if present, else the built-in default chain).")
    var config: String?

    @Option(name: .long, help: "Chain to run (default: the first route's chain, or the only chain).")
    var chain: String?

    static let localConfig = "sluice.yaml"

    func load() throws -> SluiceConfig {
        if let config { return try SluiceConfig.load(path: config, registry: Filterctl.registry) }
        if FileManager.default.fileExists(atPath: Self.localConfig) {
            return try SluiceConfig.load(path: Self.localConfig, registry: Filterctl.registry)
        }
        return try SluiceConfig.builtInDefault(registry: Filterctl.registry)
    }

    func selectChain(in config: SluiceConfig) throws -> Chain {
        let names = config.chains.map(\.name).joined(separator: ", ")
        if let chain {
            guard let found = config.chain(named: chain) else {
                throw CLIError(message: "\(config.file): no chain named \"\(chain)\" (chains: \(names))")
            }
            return found
        }
        if let route = config.routes.first, let found = config.chain(named: route.chain) { return found }
        if config.chains.count == 1 { return config.chains[0] }
        throw CLIError(message: "\(config.file) has several chains (\(names)) and no routes: pick one with --chain")
    }
}
