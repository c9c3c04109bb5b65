import Foundation

/// The real files the MIME tests use (see FiltersTests/Fixtures/make-fixtures.py).
public enum Fixtures {
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../FiltersTests/Fixtures").standardized

    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// An ELF executable from the system itself.
    public static func elf() throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: "/bin/true"))) }
}

