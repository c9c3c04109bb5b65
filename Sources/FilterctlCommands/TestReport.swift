import Filters
import Sluice

/// How `filterctl test` prints a result: for people, or as one JSON line.
enum TestReport {
    static func json(file: String, _ result: FileResult) -> JSON {
        .object([("file", .string(file)), ("chain", .string(result.report.chain))] + result.report.members)
    }

    static func text(file: String, _ result: FileResult) -> String {
        let report = result.report, upload = report.upload
        var lines: [String] = []
        if let rejection = report.rejection {
            lines.append("REJECT  \(file)  (chain \(report.chain))")
            lines.append("  rejected by    \(rejection.filter): \(rejection.code) (HTTP \(rejection.status))")
            lines.append("  reason         \(rejection.message)")
        } else {
            lines.append("ACCEPT  \(file)  (chain \(report.chain))")
        }
        lines.append("  declared type  \(upload.declaredType ?? "-")")
        lines.append("  sniffed type   \(upload.sniffedType ?? "-")")
        if let head = report.head {
            lines.append("  Content-Type   \(head.contentType ?? "-")")
            lines.append("  disposition    \(head.contentDisposition ?? "-")")
            lines.append("  encoding       \(head.contentEncoding ?? "-")")
        }
        lines.append("  bytes          \(upload.bytesIn) in, \(upload.bytesOut) out")
        for (algorithm, hex) in upload.digests {
            lines.append("  \(algorithm.padding(15))\(hex)")
        }
        for (name, value) in upload.attributes.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(name.padding(15))\(value)")
        }
        let rate = result.seconds > 0 ? Double(upload.bytesIn) / 1e6 / result.seconds : 0
        lines.append("  time           \(format(result.seconds * 1000)) ms (\(format(rate)) MB/s)")
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
