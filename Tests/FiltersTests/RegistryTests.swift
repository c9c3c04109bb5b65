import Filters
import NIOCore
import TestSupport
import Testing

/// A user's own filter: refuses uploads that contain a configured word. This is the example
/// the README shows.
struct DenyWordFilter: Filter {
    let word: [UInt8]
    /// The last bytes of the previous chunk, so a word split across chunks is still found.
    private var carry: [UInt8] = []

    init(word: String) { self.word = Array(word.utf8) }

    mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        let window = carry + chunk.readableBytesView
        if window.count >= word.count, (0...(window.count - word.count)).contains(where: { window[$0..<($0 + word.count)].elementsEqual(word) }) {
            throw Rejection(code: "forbidden_word", status: 422, message: "the upload contains a forbidden word")
        }
        carry = Array(window.suffix(word.count - 1))
        return chunk
    }

    static let definition = FilterDefinition(
        name: "deny-word",
        summary: "Refuses uploads that contain a word.",
        options: [.init("word", "string", "The word to refuse.")]
    ) { options in
        guard let word = try options.string("word"), !word.isEmpty else { throw options.node.error("set `word`") }
        return FilterStep(name: "deny-word") { DenyWordFilter(word: word) }
    }
}

@Suite struct RegistryTests {
    @Test func standardFilters() {
        #expect(FilterRegistry.standard.names == ["size-limit", "magic", "disposition", "hash", "gzip"])
    }

    @Test func customFilterRegisteredByNameRunsFromYAML() async throws {
        var registry = FilterRegistry.standard
        registry.register(DenyWordFilter.definition)
        let chain = try Chain.from("""
            - magic: { allow: [text/*] }
            - deny-word: { word: password }
            - hash: { algorithms: [sha256] }
            """, registry: registry)
        for chunking in Chunking.allCases {
            let bad = try await chain.run(Array("here is my password: hunter2\n".utf8), chunking: chunking, upload: Upload(declaredType: "text/plain"))
            #expect(bad.rejection == Rejection(filter: "deny-word", code: "forbidden_word", status: 422, message: "the upload contains a forbidden word"))
            let good = try await chain.run(Array("nothing to see\n".utf8), chunking: chunking, upload: Upload(declaredType: "text/plain"))
            #expect(good.rejection == nil)
        }
        // Without registering it, the same YAML names an unknown filter.
        #expect(throws: ConfigError.self) {
            _ = try Chain.from("- deny-word: { word: x }")
        }
    }

    @Test func customFilterOptionsAreChecked() {
        var registry = FilterRegistry.standard
        registry.register(DenyWordFilter.definition)
        #expect(throws: ConfigError.self) {
            _ = try Chain.from("- deny-word: { wrd: x }", registry: registry)
        }
    }
}
