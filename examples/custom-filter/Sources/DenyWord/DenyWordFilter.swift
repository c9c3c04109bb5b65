import Filters
import NIOCore

/// Refuses uploads that contain a configured word, wherever the chunks happen to split it, and
/// reports the verdict of those it lets through under `attributes`.
public struct DenyWordFilter: Filter {
    let word: [UInt8]
    /// The last bytes of the previous chunk, so a word split across chunks is still found.
    private var carry: [UInt8] = []

    public init(word: String) { self.word = Array(word.utf8) }

    public mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        let window = carry + chunk.readableBytesView
        if window.count >= word.count,
            (0...(window.count - word.count)).contains(where: { window[$0..<($0 + word.count)].elementsEqual(word) })
        {
            throw Rejection(code: "forbidden_word", status: 422, message: "the upload contains a forbidden word")
        }
        carry = Array(window.suffix(word.count - 1))
        return chunk  // passed on whole; return nil to hold bytes back
    }

    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        upload.attributes["deny-word"] = "not found"
        return nil
    }

    /// How configs name it (`- deny-word: { word: password }`) and build it.
    public static let definition = FilterDefinition(
        name: "deny-word",
        summary: "Refuses uploads that contain a word.",
        options: [.init("word", "string", "The word to refuse.")]
    ) { options in
        guard let word = try options.string("word"), !word.isEmpty else { throw options.node.error("set `word`") }
        return FilterStep(name: "deny-word") { DenyWordFilter(word: word) }
    }
}
