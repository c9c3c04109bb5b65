/// Every target, by the name scripts/fuzz and `SLUICE_FUZZ_TARGET` use.
enum FuzzTargets {
    static let all: [any FuzzTarget.Type] = [
        MultipartTarget.self, PartHeadersTarget.self, MediaTypeTarget.self, ContentDispositionTarget.self,
        S3XMLTarget.self, ConfigTarget.self, KeyTemplateTarget.self,
    ]

    static func named(_ name: String) -> (any FuzzTarget.Type)? {
        all.first { $0.name == name }
    }
}
