@testable import Filters
@testable import Sluice
@testable import Storage
import Foundation

/// The YAML config loader, SluiceConfig.parse(yaml:file:registry:), with the standard filters:
/// any text gives a config or a ConfigError (its typed throw), never a crash.
///
/// Invariants: a config has at least one chain, every route names one of them, and its key
/// template renders.
enum ConfigTarget: FuzzTarget {
    static let name = "config"

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let config: SluiceConfig
        do {
            config = try SluiceConfig.parse(yaml: text, file: "fuzz.yaml", registry: .standard)
        } catch {
            _ = error.description
            return
        }
        Invariant.check("config-chains", !config.chains.isEmpty, "a config without chains")
        for route in config.routes {
            Invariant.check("config-routes", config.chain(named: route.chain) != nil, "route \(route.path) names no chain")
        }
        _ = config.warnings.map(\.description)
        if let storage = config.storage {
            _ = storage.keyTemplate.render(Upload(filename: "a.txt", field: "file"), uuid: KeyTemplateTarget.uuid, date: KeyTemplateTarget.date)
        }
    }
}
