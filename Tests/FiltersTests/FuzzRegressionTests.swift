import Filters
import Testing

/// Inputs that broke a property under `scripts/fuzz` (docs/HARDENING.md), each kept as the
/// smallest case that shows it. The name says which target found it.
@Suite struct FuzzRegressionTests {
    /// media-type: Unicode case folding turned the Kelvin sign (U+212A) into "k", so
    /// "image/\u{212A}*" became the valid type "image/k*".
    @Test func onlyASCIILettersAreFolded() {
        #expect(MediaType.essence("image/\u{212A}*") == nil)
        #expect(MediaType.essence("IMAGE/PNG; charset=x") == "image/png")
        #expect((try? MediaTypePattern("image/\u{212A}*")) == nil)
        #expect(MediaType.canonical("IMAGE/JPG") == "image/jpeg")
    }
}
