import Filters
import NIOCore

/// An upload token's per-file limits, run last in the route's chain for that request: the
/// type the chain decided (the sniffed one when the chain has `magic`) against the token's
/// `types`, and the bytes uploaded against its `maxFileBytes`.
struct TokenPolicyFilter: Filter {
    let types: [MediaTypePattern]?
    let maxFileBytes: Int64?
    var typeChecked = false

    init(types: [MediaTypePattern]?, maxFileBytes: Int64?) {
        self.types = types
        self.maxFileBytes = maxFileBytes
    }

    static let name = "upload-token"

    /// `chain` with this filter after its steps.
    static func chain(_ chain: Chain, grant: UploadGrant) throws -> Chain {
        let types = grant.types, maxFileBytes = grant.maxFileBytes
        let step = FilterStep(name: name, traits: FilterTraits(reads: [.sniffedType, .contentType])) {
            TokenPolicyFilter(types: types, maxFileBytes: maxFileBytes)
        }
        return try Chain(name: chain.name, steps: chain.steps + [step])
    }

    mutating func write(_ chunk: ByteBuffer, _ upload: inout Upload) throws -> ByteBuffer? {
        try check(upload)
        return chunk
    }

    mutating func finish(_ upload: inout Upload) throws -> ByteBuffer? {
        try check(upload)
        return nil
    }

    private mutating func check(_ upload: Upload) throws {
        if let maxFileBytes, upload.bytesIn > maxFileBytes {
            throw Rejection(code: "file_too_large_for_token", status: 413, message: "the file is over the upload token's limit of \(ByteSize.format(maxFileBytes))")
        }
        if let types, !typeChecked {
            typeChecked = true
            let type = upload.sniffedType ?? upload.contentType ?? "application/octet-stream"
            guard types.matches(type) else {
                throw Rejection(
                    code: "type_not_allowed_by_token", status: 415,
                    message: "\(type) is not allowed by the upload token (allowed: \(types.map(\.description).joined(separator: ", ")))")
            }
        }
    }
}

extension TokenPolicyFilter: ResumableFilter {
    /// Version 1: whether the type was checked (the count is the upload's own).
    mutating func saveState() throws -> FilterState {
        FilterState(version: 1) { $0.write(typeChecked) }
    }

    mutating func restore(_ state: FilterState) throws {
        typeChecked = try state.read(TokenPolicyFilter.name, version: 1) { reader throws(FilterStateError) in try reader.bool() }
    }
}
