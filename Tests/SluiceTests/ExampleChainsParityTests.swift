import Filters
import Foundation
import NIOCore
import Sluice
import Testing
import TestSupport

/// Every chain of examples/sluice.yaml decides the same with libmagic's prefilter as with its
/// full analysis: accepted or refused (and why), the stored Content-Type and Content-Disposition,
/// on the test fixtures and a sample of the system's files, each declared as a browser would
/// declare it (by extension) and as an unknown type.
@Suite struct ExampleChainsParityTests {
    static let prefiltered = FilterResources(helperThreads: 0)
    static let full = FilterResources(helperThreads: 0, magicPrefilter: false)

    struct Decision: Equatable, CustomStringConvertible {
        var rejection: String?
        var contentType: String?
        var contentDisposition: String?
        var description: String { rejection ?? "stored as \(contentType ?? "-"), \(contentDisposition ?? "-")" }
    }

    func decide(_ chain: Chain, _ bytes: [UInt8], _ upload: Upload, _ resources: FilterResources) async throws -> Decision {
        let sink = MemorySink()
        let outcome = try await chain.run(upload, from: Chunks([ByteBuffer(bytes: bytes)]), into: sink, key: "k", resources: resources)
        let report = outcome.report
        return Decision(
            rejection: report.rejection.map { "\($0.status) \($0.code): \($0.message)" },
            contentType: report.upload.head.contentType, contentDisposition: report.upload.head.contentDisposition)
    }

    @Test func everyExampleChainDecidesAsWithLibmagicsFullAnalysis() async throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/sluice.yaml").standardized.path
        let config = try SluiceConfig.load(path: examples)
        #expect(config.chains.count >= 3)
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path).sorted().map(Fixtures.path)
        var compared = 0, accepted = 0, differences: [String] = []
        for path in fixtures + SystemFiles.sample(perRoot: 25, maxBytes: 256 << 10) {
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { continue }
            let bytes = [UInt8](data), name = (path as NSString).lastPathComponent
            for declared in [MediaType.forFilename(name), MediaType.octetStream] {
                let upload = Upload(declaredType: declared, filename: name, field: "file", declaredLength: Int64(bytes.count))
                for chain in config.chains {
                    let expected = try await decide(chain, bytes, upload, Self.full)
                    let decision = try await decide(chain, bytes, upload, Self.prefiltered)
                    if decision != expected { differences.append("\(chain.name), \(path) as \(declared): \(decision); full analysis: \(expected)") }
                    if expected.rejection == nil { accepted += 1 }
                    compared += 1
                }
            }
        }
        #expect(differences.count == 0, "\(differences.count) of \(compared) differ:\n\(differences.prefix(20).joined(separator: "\n"))")
        // Both outcomes must be well represented for the comparison to mean anything.
        #expect(accepted > compared / 5 && accepted < compared * 4 / 5, "\(accepted) of \(compared) accepted")
    }
}
