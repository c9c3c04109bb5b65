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

    @Test(arguments: ["", "..", ".", "/", "dir/", "\u{1}\u{2}"])
    func nothingUsableLeft(raw: String) {
        #expect(Filename.sanitize(raw) == nil)
    }
}
