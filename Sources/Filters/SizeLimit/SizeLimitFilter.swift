import NIOCore

/// `size-limit`: refuses an upload the moment it passes `max` bytes (413), or one that ends
/// under `min` (422). A declared length over `max` is refused before any byte.
public struct SizeLimitFilter: Filter {
    public let max: Int64?
    public let min: Int64?
    /// False after a transforming filter: then the client's declared length says nothing here.
    let trustDeclaredLength: Bool
    var count: Int64 = 0

    public init(max: Int64?, min: Int64?, trustDeclaredLength: Bool = true) {
        self.max = max
        self.min = min
        self.trustDeclaredLength = trustDeclaredLength
    }

    public mutating func begin(_ upload: inout Upload) throws {
        if trustDeclaredLength, let max, let declared = upload.declaredLength, declared > max {
            throw Rejection(
                code: "size_exceeded", status: 413,
                message: "the upload is \(ByteSize.format(declared)), over the limit of \(ByteSize.format(max))")
        }
    }

    public mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        count += Int64(chunk.readableBytes)
        if let max, count > max {
            throw Rejection(code: "size_exceeded", status: 413, message: "the upload is larger than the limit of \(ByteSize.format(max))")
        }
        return chunk
    }

    public mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        if let min, count < min {
            let what = count == 0 ? "the upload is empty" : "the upload is \(ByteSize.format(count))"
            throw Rejection(code: "too_small", status: 422, message: "\(what), under the minimum of \(ByteSize.format(min))")
        }
        return nil
    }
}

extension SizeLimitFilter {
    static let definition = FilterDefinition(
        name: "size-limit",
        summary: "Refuses uploads over `max` (413 size_exceeded, as soon as the count passes it) or under `min` (422 too_small).",
        options: [
            .init("max", "size", "Largest accepted upload, e.g. 20MiB (units B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)."),
            .init("min", "size", default: "0", "Smallest accepted upload; `min: 1` refuses empty files."),
        ]
    ) { options throws(ConfigError) in
        let max = try options.size("max")
        let min = try options.size("min")
        guard max != nil || min != nil else { throw options.node.error("set `max`, `min` or both") }
        if let max, let min, min > max {
            throw options.error("min", "min (\(ByteSize.format(min))) is larger than max (\(ByteSize.format(max)))")
        }
        let summary = [max.map { "max \(ByteSize.format($0))" }, min.map { "min \(ByteSize.format($0))" }]
            .compactMap { $0 }.joined(separator: ", ")
        return FilterStep(name: "size-limit", summary: summary) { (context: FilterStep.Context) in
            SizeLimitFilter(max: max, min: min, trustDeclaredLength: context.seesOriginalBytes)
        }
    }
}
