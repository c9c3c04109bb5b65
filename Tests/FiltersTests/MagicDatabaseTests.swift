@testable import Filters
import Foundation
import TestSupport
import Testing

/// Which magic paths the shared in-memory database takes, and which it leaves to magic_load.
@Suite struct MagicDatabaseTests {
    let scratch: ScratchDirectory

    init() throws { scratch = try ScratchDirectory("magic") }

    func file(_ text: String) throws -> String {
        let path = scratch.file(UUID().uuidString).path
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test func theSystemDatabaseIsShared() throws {
        // Debian's default list: a text file of comments, then a base name whose .mgc exists.
        #expect(MagicDatabase.system() != nil)
        let comments = try file("# Magic local data for file(1) command.\n#\n\n")
        #expect(MagicDatabase(path: "\(comments):/usr/share/misc/magic") != nil)
    }

    @Test func aTextFileWithRulesIsLeftToMagicLoad() throws {
        let rules = try file("# local rules\n0\tstring\tSLUICE\tSluice test data\n!:mime application/x-sluice\n")
        #expect(MagicDatabase(path: "\(rules):/usr/share/misc/magic") == nil)
    }

    @Test func nothingReadableIsNil() {
        #expect(MagicDatabase(path: "/nonexistent/magic") == nil)
        #expect(MagicDatabase(path: "") == nil)
    }
}
