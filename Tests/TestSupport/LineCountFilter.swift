import Filters
import NIOCore

/// A filter of the tests' own, registered as a user registers theirs: counts an upload's lines,
/// reports them under `attributes`, and refuses more than `max`.
public struct LineCountFilter: Filter {
    let max: Int
    var lines = 0

    public init(max: Int) { self.max = max }

    public mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        lines += chunk.readableBytesView.lazy.filter { $0 == UInt8(ascii: "\n") }.count
        if lines > max { throw Rejection(code: "too_many_lines", status: 422, message: "more than \(max) lines") }
        return chunk
    }

    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        upload.attributes["lines"] = "\(lines)"
        return nil
    }

    public static let definition = FilterDefinition(
        name: "line-count", summary: "Counts lines; refuses more than max.", options: [.init("max", "integer", "Most lines.")]
    ) { options in
        let max = try options.int("max", in: 0...1_000_000, default: 100)
        return FilterStep(name: "line-count") { LineCountFilter(max: max) }
    }
}
