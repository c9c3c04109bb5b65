import Filters

extension SluiceConfig {
    /// What filterctl uses with no `--config` and no ./sluice.yaml: accept any type up to 1 GiB
    /// with the type checked against its claim, safe dispositions, and a SHA-256.
    public static let builtInDefaultYAML = """
        chains:
          default:
            - size-limit: { max: 1GiB }
            - magic: { mismatch: reject }
            - disposition: {}
            - hash: { algorithms: [sha256] }
        """

    public static func builtInDefault(registry: FilterRegistry = .standard) throws(ConfigError) -> SluiceConfig {
        try parse(yaml: builtInDefaultYAML, file: "(built-in default)", registry: registry)
    }
}
