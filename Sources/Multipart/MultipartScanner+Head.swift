import NIOCore

extension MultipartScanner {
    mutating func skipPreamble() throws -> Event? {
        // The first delimiter may open the body without the CRLF before it.
        let dashBoundary = delimiter.count - 2
        if input.readableBytes < dashBoundary { return try more(or: { $0.noBoundary() }) }
        if input.bytes.prefix(dashBoundary).elementsEqual(delimiter.dropFirst(2)) {
            input.moveReaderIndex(forwardBy: dashBoundary)
            state = .afterDelimiter
            return nil
        }
        let tooLong = MultipartError("the boundary declared in Content-Type is not in the first \(MultipartError.size(limits.preambleBytes)) of the body")
        if let index = find(delimiter, in: input) {
            guard index <= limits.preambleBytes else { throw tooLong }
            input.moveReaderIndex(forwardBy: index + delimiter.count)
            state = .afterDelimiter
            return nil
        }
        // Too long only once the delimiter could no longer end within the limit, however the
        // body was cut.
        if input.readableBytes >= limits.preambleBytes + delimiter.count { throw tooLong }
        return try more(or: { $0.noBoundary() })
    }

    /// After a delimiter: the closing `--`, or a part's head.
    mutating func afterDelimiter() throws -> Event? {
        if let part = try headInPlace() { return begin(part) }
        if input.readableBytes < 2 { return try more(or: { _ in MultipartError("the body ends right after a boundary, without the closing --") }) }
        if input.firstTwoBytes == 0x2D2D {
            input.moveReaderIndex(forwardBy: 2)
            state = .done
            return .end
        }
        state = .padding
        return nil
    }

    /// Transport padding (spaces, tabs) may follow a boundary before its CRLF.
    mutating func padding() throws -> Event? {
        while let byte = input.bytes.first, byte == 0x20 || byte == 0x09 { input.moveReaderIndex(forwardBy: 1) }
        if input.readableBytes < 2 { return try more(or: { _ in MultipartError("the body ends right after a boundary") }) }
        guard input.firstTwoBytes == 0x0D0A else {
            throw MultipartError("a boundary is not followed by CRLF or --")
        }
        input.moveReaderIndex(forwardBy: 2)
        state = .head
        return nil
    }

    mutating func head() throws -> Event? {
        if input.firstTwoBytes == 0x0D0A {
            // An empty header block: no Content-Disposition, which parse() reports.
            input.moveReaderIndex(forwardBy: 2)
            return begin(try MultipartPart.parse(ByteBuffer()))
        }
        if let index = find(PartHeaders.blockEnd, in: input) {
            guard index <= limits.headerBytes else { throw headersTooLong() }
            let part = try MultipartPart.parse(input.readSlice(length: index)!)
            input.moveReaderIndex(forwardBy: PartHeaders.blockEnd.count)
            return begin(part)
        }
        if input.readableBytes >= limits.headerBytes + PartHeaders.blockEnd.count { throw headersTooLong() }
        return try more(or: { _ in MultipartError("the body ends inside a part's headers") })
    }

    /// The common case without looking twice: the delimiter's CRLF and a whole header block
    /// are already in `input`. nil leaves everything else (the closing `--`, padding, an
    /// empty, unfinished or too long block) to the step-by-step path.
    private mutating func headInPlace() throws -> MultipartPart? {
        let limit = limits.headerBytes
        // The usual head is read where it lies, in one pass; any other is found, then read
        // field by field.
        let bytes = input.bytes
        guard bytes.count > 4, bytes[0] == 0x0D, bytes[1] == 0x0A, bytes[2] != 0x0D || bytes[3] != 0x0A else { return nil }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[2...])
        let found: (length: Int, values: MultipartPart.Values?)
        if let head = MultipartPart.browserHead(in: rest), head.length <= limit {
            found = (head.length, head.values)
        } else {
            guard let index = PartHeaders.blockEnd.withUnsafeBytes({ Memmem.find($0, in: rest) }), index <= limit else { return nil }
            found = (index, nil)
        }
        let head = input.getSlice(at: input.readerIndex + 2, length: found.length)!
        let part = try found.values.map { MultipartPart(head: head, values: $0) } ?? MultipartPart.parse(head)
        input.moveReaderIndex(forwardBy: 2 + found.length + PartHeaders.blockEnd.count)
        return part
    }

    private mutating func begin(_ part: MultipartPart) -> Event {
        currentHead = part.head
        state = .body
        return .part(part)
    }

    private func headersTooLong() -> MultipartError {
        MultipartError("a part's headers are longer than \(MultipartError.size(limits.headerBytes))")
    }

    private func noBoundary() -> MultipartError {
        MultipartError("the body does not contain the boundary declared in Content-Type")
    }
}
