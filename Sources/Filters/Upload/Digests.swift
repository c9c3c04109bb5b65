/// Digests of an upload by algorithm name (`sha256`, `crc32`, ...) as lowercase hex, in the
/// order they were set.
public struct Digests: Sendable, Hashable, Sequence {
    public private(set) var entries: [(algorithm: String, hex: String)] = []

    public init() {}

    public subscript(algorithm: String) -> String? {
        get { entries.first { $0.algorithm == algorithm }?.hex }
        set {
            let index = entries.firstIndex { $0.algorithm == algorithm }
            switch (index, newValue) {
            case (let i?, let hex?): entries[i].hex = hex
            case (let i?, nil): entries.remove(at: i)
            case (nil, let hex?): entries.append((algorithm, hex))
            case (nil, nil): break
            }
        }
    }

    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> some IteratorProtocol<(algorithm: String, hex: String)> {
        entries.makeIterator()
    }

    public static func == (lhs: Digests, rhs: Digests) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.algorithm == $1.algorithm && $0.hex == $1.hex }
    }

    public func hash(into hasher: inout Hasher) {
        for (algorithm, hex) in entries {
            hasher.combine(algorithm)
            hasher.combine(hex)
        }
    }
}
