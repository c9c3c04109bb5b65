import CMagic
import Foundation

/// libmagic's compiled database, read once and shared by every handle. `magic_load` maps the
/// whole file again for each handle (8 MiB of resident memory each with Debian's database),
/// while handles loaded from one buffer all read the same bytes, which libmagic never writes.
final class MagicDatabase: @unchecked Sendable {
    /// The database libmagic is configured with (MAGIC, or its default path); nil when it
    /// cannot be shared this way (a text magic file with rules in it, or nothing readable):
    /// handles then load it themselves.
    static func system() -> MagicDatabase? {
        MagicDatabase(path: magic_getpath(nil, 0).map { String(cString: $0) } ?? "")
    }

    /// Read-only once loaded; every handle loaded from them points into them, so they live as
    /// long as this database (the ``MagicPool`` holds it).
    private let buffers: [UnsafeMutableRawBufferPointer]

    /// `path` as libmagic gives it: a colon-separated list where each entry is a compiled
    /// `entry.mgc`, or a file or directory of text rules.
    init?(path: String) {
        var buffers: [UnsafeMutableRawBufferPointer] = []
        for entry in path.split(separator: ":").map(String.init) {
            if let compiled = Self.compiled(atPath: entry + ".mgc") ?? Self.compiled(atPath: entry) {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: compiled.count, alignment: 8)
                compiled.withUnsafeBytes { buffer.copyMemory(from: $0) }
                buffers.append(buffer)
            } else if Self.hasRules(atPath: entry) {
                buffers.forEach { $0.deallocate() }
                return nil
            }
        }
        guard !buffers.isEmpty else { return nil }
        self.buffers = buffers
    }

    deinit { buffers.forEach { $0.deallocate() } }

    /// The compiled databases, for reading (``MagicPrefilter``).
    var compiledBuffers: [UnsafeRawBufferPointer] { buffers.map { UnsafeRawBufferPointer($0) } }

    /// A copy of the compiled databases for a handle that writes to them; the caller frees it.
    func copyOfBuffers() -> [UnsafeMutableRawBufferPointer] {
        buffers.map { buffer in
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count, alignment: 8)
            copy.copyMemory(from: UnsafeRawBufferPointer(buffer))
            return copy
        }
    }

    /// Loads the database into a fresh handle; false when libmagic refuses it.
    func load(into cookie: OpaquePointer) -> Bool {
        Self.load(compiledBuffers, into: cookie)
    }

    static func load(_ buffers: [UnsafeRawBufferPointer], into cookie: OpaquePointer) -> Bool {
        // libmagic never writes through these pointers (they are `void **` for historical reasons).
        var pointers: [UnsafeMutableRawPointer?] = buffers.map { UnsafeMutableRawPointer(mutating: $0.baseAddress) }
        var sizes = buffers.map(\.count)
        return magic_load_buffers(cookie, &pointers, &sizes, buffers.count) == 0
    }

    /// A compiled database starts with libmagic's magic number (0xF11E041C, either byte order).
    private static func compiled(atPath path: String) -> Data? {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 4 else { return nil }
        let head = data.prefix(4)
        return head.elementsEqual([0x1C, 0x04, 0x1E, 0xF1]) || head.elementsEqual([0xF1, 0x1E, 0x04, 0x1C]) ? data : nil
    }

    /// Whether a text magic file (or a directory of them) has anything but comments and blank lines.
    private static func hasRules(atPath path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
        if isDirectory.boolValue { return true }
        guard let text = try? String(contentsOfFile: path, encoding: .isoLatin1) else { return true }
        return text.split(whereSeparator: \.isNewline).contains { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            return !trimmed.isEmpty && trimmed.first != "#"
        }
    }
}
