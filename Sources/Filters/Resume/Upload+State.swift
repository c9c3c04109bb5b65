/// An upload's metadata in a suspended run: every field, in declaration order.
extension StateWriter {
    mutating func write(_ upload: Upload) {
        write(upload.declaredType)
        write(upload.filename)
        write(upload.field)
        write(upload.declaredLength != nil)
        if let length = upload.declaredLength { write(length) }
        write(upload.sniffedType)
        write(upload.head)
        write(upload.disposition?.rawValue)
        write(upload.digests.map { ($0.algorithm, $0.hex) })
        write(upload.attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        write(upload.bytesIn)
        write(upload.bytesOut)
    }

    mutating func write(_ head: ObjectHead) {
        write(head.contentType)
        write(head.contentDisposition)
        write(head.contentEncoding)
        write(head.metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    mutating func write(_ pairs: [(String, String)]) {
        write(UInt64(pairs.count))
        for (name, value) in pairs {
            write(name)
            write(value)
        }
    }
}

extension StateReader {
    mutating func upload() throws(FilterStateError) -> Upload {
        var upload = Upload(declaredType: try optionalString(), filename: try optionalString(), field: try optionalString())
        upload.declaredLength = try bool() ? try int64() : nil
        upload.sniffedType = try optionalString()
        upload.head = try objectHead()
        if let disposition = try optionalString() {
            guard let known = Disposition(rawValue: disposition) else { throw FilterStateError("an unknown disposition \"\(disposition)\"") }
            upload.disposition = known
        }
        for (algorithm, hex) in try pairs() { upload.digests[algorithm] = hex }
        upload.attributes = Dictionary(try pairs(), uniquingKeysWith: { _, last in last })
        upload.bytesIn = try int64()
        upload.bytesOut = try int64()
        return upload
    }

    mutating func objectHead() throws(FilterStateError) -> ObjectHead {
        ObjectHead(
            contentType: try optionalString(), contentDisposition: try optionalString(), contentEncoding: try optionalString(),
            metadata: Dictionary(try pairs(), uniquingKeysWith: { _, last in last }))
    }

    mutating func pairs() throws(FilterStateError) -> [(String, String)] {
        let count = try uint64()
        guard count <= 10_000 else { throw FilterStateError("\(count) entries") }
        var pairs: [(String, String)] = []
        for _ in 0..<count { pairs.append((try string(), try string())) }
        return pairs
    }
}
