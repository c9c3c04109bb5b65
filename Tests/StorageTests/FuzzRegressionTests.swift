import Filters
import Storage
import Testing

/// Inputs that broke a property under `scripts/fuzz` (docs/HARDENING.md), each kept as the
/// smallest case that shows it. The name says which target found it.
@Suite struct FuzzRegressionTests {
    /// key-template: "{ext}" rendered an empty key for a name without an extension; a control
    /// character in a template's text went into every key.
    @Test func keyTemplatesThatCannotGiveAValidKeyAreRefused() {
        #expect(throws: KeyTemplateError.self) { try KeyTemplate("{ext}") }
        #expect(throws: KeyTemplateError.self) { try KeyTemplate("{ext}{ext}") }
        #expect(throws: KeyTemplateError.self) { try KeyTemplate("{uuid}\n{filename}") }
        #expect(throws: KeyTemplateError.self) { try KeyTemplate("a\u{202E}b/{uuid}") }
        let template = try? KeyTemplate("x{ext}")
        #expect(template?.render(Upload(filename: "upload")) == "x")
    }
}
