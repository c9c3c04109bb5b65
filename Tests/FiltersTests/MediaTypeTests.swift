import TestSupport
import Testing

@testable import Filters

@Suite struct MediaTypeTests {
    /// The one-pass path for ASCII gives what the Character path gives, on 50,000 strings of
    /// letters, slashes, semicolons, spaces and line breaks, token and other punctuation, and a
    /// few non-ASCII characters (a no-break space, an accented letter, a combining mark).
    @Test func theASCIIPathAgreesWithTheCharacterPath() {
        let pieces = ["a", "B", "z", "/", "/", ";", ";", " ", "\t", "\r\n", "+", "-", ".", "*", "(", "@", ",", "=", "\u{A0}", "é", "\u{301}", "text", "image/png"]
        var random = SeededRandom(seed: 19)
        for _ in 0..<50_000 {
            let text = (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            #expect(MediaType.essence(text) == MediaType.unicodeEssence(text), "\(Array(text.unicodeScalars))")
        }
        #expect(MediaType.asciiEssence("Text/Plain; charset=UTF-8".utf8) == .some("text/plain"))
        #expect(MediaType.asciiEssence("text/plain;\u{301}x".utf8) == nil, "a mark after the semicolon goes the Character way")
    }

    @Test func essenceDropsParametersAndCase() {
        #expect(MediaType.essence("Text/Plain; charset=UTF-8") == "text/plain")
        #expect(MediaType.essence(" image/png ") == "image/png")
        #expect(MediaType.essence("image") == nil)
        #expect(MediaType.essence("") == nil)
        #expect(MediaType.essence("a/b/c") == nil)
    }

    @Test func aliasesResolve() {
        #expect(MediaType.canonical("image/jpg") == "image/jpeg")
        #expect(MediaType.canonical("image/pjpeg") == "image/jpeg")
        #expect(MediaType.canonical("text/xml") == "application/xml")
        #expect(MediaType.canonical("application/x-javascript") == "application/javascript")
        #expect(MediaType.canonical("audio/mp3") == "audio/mpeg")
        #expect(MediaType.canonical("application/x-zip-compressed") == "application/zip")
    }

    @Test(arguments: [
        ("image/png", "image/png", true), ("image/png", "image/jpeg", false),
        ("image/*", "image/webp", true), ("image/*", "text/plain", false),
        ("*/*", "application/x-executable", true), ("text/*", "text/xml", true),
        ("application/xml", "text/xml", true), ("image/jpg", "image/jpeg", true),
        ("application/vnd.oasis.opendocument.*", "application/vnd.oasis.opendocument.text", true),
        ("application/vnd.oasis.opendocument.*", "application/vnd.ms-excel", false),
        ("image/png", "image/png; charset=binary", true),
    ])
    func patternMatching(pattern: String, type: String, matches: Bool) throws {
        #expect(try MediaTypePattern(pattern).matches(type) == matches)
    }

    @Test(arguments: ["image", "image/png/x", "*/png", "imag/png", "image/ png", "image/png; q=1", "image/p*g", ""])
    func badPatternsAreRefused(pattern: String) {
        #expect(throws: MediaTypePatternError.self) { try MediaTypePattern(pattern) }
    }

    @Test func genericClaimsFitAnything() {
        for claim in [nil, "", "application/octet-stream", "binary/octet-stream", "application/unknown"] as [String?] {
            #expect(MediaType.fits(claimed: claim, sniffed: "image/png"))
            #expect(MediaType.fits(claimed: claim, sniffed: "text/html"))
        }
        #expect(!MediaType.fits(claimed: "application/octet-stream", sniffed: "image/png", genericFitsAll: false))
    }

    @Test func textRule() {
        // libmagic calls structured text text/plain: the claim stands.
        #expect(MediaType.fits(claimed: "text/csv", sniffed: "text/plain"))
        #expect(MediaType.fits(claimed: "application/json", sniffed: "text/plain"))
        #expect(MediaType.fits(claimed: "text/plain; charset=utf-8", sniffed: "text/csv"))
        #expect(MediaType.fits(claimed: "text/plain", sniffed: "text/x-c"))
        #expect(MediaType.fits(claimed: "text/plain", sniffed: "application/x-empty"))
        // Active content hiding behind a harmless textual claim does not.
        #expect(!MediaType.fits(claimed: "text/plain", sniffed: "text/html"))
        #expect(!MediaType.fits(claimed: "text/csv", sniffed: "image/svg+xml"))
        #expect(!MediaType.fits(claimed: "application/json", sniffed: "application/javascript"))
        // An honest active claim is not a mismatch (allow lists decide whether it is welcome).
        #expect(MediaType.fits(claimed: "application/xml", sniffed: "text/xml"))
        #expect(MediaType.fits(claimed: "application/atom+xml", sniffed: "text/xml"))
        // Binary claims are not text.
        #expect(!MediaType.fits(claimed: "image/png", sniffed: "text/plain"))
        #expect(!MediaType.fits(claimed: "image/png", sniffed: "application/x-empty"))
    }

    @Test func containerRule() {
        let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        #expect(MediaType.fits(claimed: docx, sniffed: "application/zip"))
        #expect(MediaType.fits(claimed: "application/zip", sniffed: docx))
        #expect(MediaType.fits(claimed: "application/epub+zip", sniffed: "application/zip"))
        #expect(MediaType.fits(claimed: "application/msword", sniffed: "application/CDFV2"))
        #expect(MediaType.fits(claimed: "application/vnd.ms-excel", sniffed: "application/x-ole-storage"))
        #expect(MediaType.fits(claimed: "audio/mp4", sniffed: "video/mp4"))
        #expect(!MediaType.fits(claimed: docx, sniffed: "application/pdf"))
        #expect(!MediaType.fits(claimed: "application/zip", sniffed: "application/x-executable"))
    }

    @Test func aliasesFitEachOther() {
        #expect(MediaType.fits(claimed: "image/jpg", sniffed: "image/jpeg"))
        #expect(MediaType.fits(claimed: "application/x-pdf", sniffed: "application/pdf"))
        #expect(MediaType.fits(claimed: "application/x-msdownload", sniffed: "application/x-dosexec"))
        #expect(MediaType.fits(claimed: "application/x-executable", sniffed: "application/x-pie-executable"))
    }

    @Test func browserTypesByExtension() {
        #expect(MediaType.forFilename("sample.bin") == "application/octet-stream")
        #expect(MediaType.forFilename("noextension") == "application/octet-stream")
        #expect(MediaType.forFilename("Photo.JPG") == "image/jpeg")
        #expect(MediaType.forFilename("archive.tar.gz") == "application/gzip")
        #expect(MediaType.forFilename(".bashrc") == "application/octet-stream")
    }
}
