import Filters
import NIOCore
import TestSupport
import Testing

@Suite struct RegistryTests {
    @Test func standardFilters() {
        #expect(FilterRegistry.standard.names == ["size-limit", "magic", "disposition", "hash", "gzip"])
    }

    /// The README's way (examples/custom-filter has the whole package): register a filter by
    /// name and configs can use it, with the standard filters around it.
    @Test func customFilterRegisteredByNameRunsFromYAML() async throws {
        var registry = FilterRegistry.standard
        registry.register(LineCountFilter.definition)
        let chain = try Chain.from("""
            - magic: { allow: [text/*] }
            - line-count: { max: 2 }
            - hash: { algorithms: [sha256] }
            """, registry: registry)
        for chunking in Chunking.allCases {
            let bad = try await chain.run(Array("one\ntwo\nthree\n".utf8), chunking: chunking, upload: Upload(declaredType: "text/plain"))
            #expect(bad.rejection == Rejection(filter: "line-count", code: "too_many_lines", status: 422, message: "more than 2 lines"))
            let good = try await chain.run(Array("one\ntwo\n".utf8), chunking: chunking, upload: Upload(declaredType: "text/plain"))
            #expect(good.rejection == nil)
            #expect(good.upload.attributes == ["lines": "2"])
        }
        // Without registering it, the same YAML names an unknown filter.
        #expect(throws: ConfigError.self) {
            _ = try Chain.from("- line-count: { max: 2 }")
        }
    }

    @Test func customFilterOptionsAreChecked() {
        var registry = FilterRegistry.standard
        registry.register(LineCountFilter.definition)
        #expect(throws: ConfigError.self) {
            _ = try Chain.from("- line-count: { maximum: 2 }", registry: registry)
        }
    }
}
