/// Writes values into a ``FilterState``'s bytes: integers little-endian, byte strings and
/// texts after their length. ``StateReader`` reads them back in the same order.
public struct StateWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    public mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(_ value: some Collection<UInt8>) {
        write(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func write(_ value: String) { write(Array(value.utf8)) }

    /// A value that may be absent: a flag, then the value when present.
    public mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }
}

/// Reads what a ``StateWriter`` wrote, in the same order; throws on anything short or odd.
public struct StateReader {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func uint64() throws(FilterStateError) -> UInt64 {
        let end = try take(8)
        var value: UInt64 = 0
        for (i, byte) in bytes[end - 8..<end].enumerated() { value |= UInt64(byte) << UInt64(8 * i) }
        return value
    }

    public mutating func int64() throws(FilterStateError) -> Int64 { Int64(bitPattern: try uint64()) }

    public mutating func bool() throws(FilterStateError) -> Bool {
        let end = try take(1)
        switch bytes[end - 1] {
        case 0: return false
        case 1: return true
        default: throw FilterStateError("a flag that is neither 0 nor 1")
        }
    }

    public mutating func byteArray() throws(FilterStateError) -> [UInt8] {
        let count = try uint64()
        guard count <= UInt64(bytes.count - offset) else { throw FilterStateError("a length past the end of the state") }
        let end = try take(Int(count))
        return Array(bytes[end - Int(count)..<end])
    }

    public mutating func string() throws(FilterStateError) -> String {
        let utf8 = try byteArray()
        guard let text = String(validating: utf8, as: UTF8.self) else { throw FilterStateError("a text that is not UTF-8") }
        return text
    }

    public mutating func optionalString() throws(FilterStateError) -> String? {
        try bool() ? try string() : nil
    }

    /// Throws unless everything was read: a state with bytes left over is not the one expected.
    public func expectEnd() throws(FilterStateError) {
        guard isAtEnd else { throw FilterStateError("\(bytes.count - offset) bytes left over") }
    }

    private mutating func take(_ count: Int) throws(FilterStateError) -> Int {
        guard count <= bytes.count - offset else { throw FilterStateError("the state ends early") }
        offset += count
        return offset
    }
}
