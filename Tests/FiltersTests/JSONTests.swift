import Filters
import Testing

@Suite struct JSONTests {
    @Test func stringsAreEscapedOnlyWhereJSONAndJavaScriptNeedIt() {
        let value = JSON.object([
            ("plain", "image/png; charset=binary"),
            ("quote\"key", .string("line\nbreak\tand \\ and \u{01} and \u{2028}\u{2029} and \u{E9}\u{2192}")),
        ])
        #expect(value.text == #"{"plain":"image/png; charset=binary","quote\"key":"line\nbreak\tand \\ and \u0001 and \u2028\u2029 and é→"}"#)
    }
}
