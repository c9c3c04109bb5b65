import Filters
import TestSupport
import Testing

@Suite struct FilenameTests {
    @Test(arguments: [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\Desktop\\cv.docx", "cv.docx"),
        ("bad\u{0}name\u{7}.txt", "badname.txt"),
        ("  spaced .txt ", "spaced .txt"),
        ("evil\u{202E}gpj.exe", "evilgpj.exe"),
        ("résumé 2024.pdf", "résumé 2024.pdf"),
    ])
    func sanitize(raw: String, expected: String) {
        #expect(Filename.sanitize(raw) == expected)
    }

    /// Names are cut to 255 UTF-8 bytes on a scalar boundary, keeping a short extension: a
    /// key and a Content-Disposition built from them then stay within what S3 takes.
    @Test(arguments: [
        (String(repeating: "a", count: 300) + ".pdf", String(repeating: "a", count: 251) + ".pdf"),
        ("a." + String(repeating: "x", count: 1100), "a." + String(repeating: "x", count: 253)),
        (String(repeating: "é", count: 200) + ".txt", String(repeating: "é", count: 125) + ".txt"),
        (String(repeating: "😀", count: 100), String(repeating: "😀", count: 63)),
        ("short.png", "short.png"),
    ])
    func longNamesAreCut(raw: String, expected: String) throws {
        let name = try #require(Filename.sanitize(raw))
        #expect(name == expected)
        #expect(name.utf8.count <= Filename.maximumBytes)
    }

    @Test(arguments: ["", "..", ".", "/", "dir/", "\u{1}\u{2}"])
    func nothingUsableLeft(raw: String) {
        #expect(Filename.sanitize(raw) == nil)
    }
}
