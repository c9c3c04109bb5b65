import DenyWord
import Filters
import NIOCore
import Testing

/// What a filter's own tests look like: its chain built from YAML, run on bytes cut at every
/// place a word can straddle two chunks.
@Suite struct DenyWordTests {
    let chain: Chain
    let resources = FilterResources()

    init() throws {
        chain = try FilterRegistry.withDenyWord.chain(named: "notes", yaml: "- deny-word: { word: password }")
    }

    func run(_ text: String, cutAt cut: Int) async throws -> Chain.Outcome {
        let bytes = Array(text.utf8)
        let chunks = [ByteBuffer(bytes: bytes[..<cut]), ByteBuffer(bytes: bytes[cut...])]
        return try await chain.run(Upload(declaredType: "text/plain"), from: chunks.async, into: DiscardSink(), key: "k", resources: resources)
    }

    @Test func theWordIsFoundWhereverTheChunksSplitIt() async throws {
        let text = "my password is hunter2"
        for cut in 0...text.utf8.count {
            let outcome = try await run(text, cutAt: cut)
            #expect(outcome.report.rejection?.code == "forbidden_word", "cut at \(cut)")
        }
    }

    @Test func cleanTextIsAcceptedAndSaysSo() async throws {
        let outcome = try await run("nothing to see here", cutAt: 7)
        #expect(outcome.report.rejection == nil)
        #expect(outcome.report.upload.attributes["deny-word"] == "not found")
    }

    @Test func aConfigWithoutTheWordIsRefused() {
        #expect(throws: ConfigError.self) { _ = try FilterRegistry.withDenyWord.chain(named: "notes", yaml: "- deny-word: {}") }
    }
}

extension Array where Element == ByteBuffer {
    /// The chunks as the async sequence a chain reads.
    var async: AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            for chunk in self { continuation.yield(chunk) }
            continuation.finish()
        }
    }
}
