import Filters
import Foundation
import Storage
import Testing

@Suite struct KeyTemplateTests {
    /// Every key's `{uuid}` is a fresh version 4 UUID, in the form S3 consoles and users expect.
    @Test func aKeyTakesAFreshRandomUUID() throws {
        let template = try KeyTemplate("{uuid}/{filename}")
        let upload = Upload(filename: "a.txt")
        var seen = Set<String>()
        for _ in 0..<1000 {
            let key = template.render(upload)
            let parts = key.split(separator: "/")
            #expect(parts.count == 2 && parts[1] == "a.txt")
            let text = String(parts[0])
            let uuid = try #require(UUID(uuidString: text))
            #expect(uuid.uuidString.lowercased() == text)
            #expect(Array(text)[14] == "4", "version nibble of \(text)")
            #expect("89ab".contains(Array(text)[19]), "variant of \(text)")
            seen.insert(text)
        }
        #expect(seen.count == 1000)
    }
}
