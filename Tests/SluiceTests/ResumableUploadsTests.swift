import Filters
import Foundation
import S3
@testable import Sluice
@testable import Storage
import TestSupport
import Testing

/// The tus endpoint's record checks, in memory: an expired upload answers 410 and is gone,
/// and an upload bound to a token answers 403 to any other.
@Suite struct ResumableUploadsTests {
    let s3 = InMemoryS3()

    func uploads() -> ResumableUploads {
        ResumableUploads(s3: s3, settings: S3UploadSettings(bucket: "b"), resources: .forTests, metrics: ServerMetrics(budget: nil), budget: nil)
    }

    func route() throws -> UploadRoute {
        var config = RouteConfig(path: "/u", chain: "c")
        config.resumable = ResumableRouteConfig()
        return UploadRoute(config: config, chain: try Chain.from("- hash: { algorithms: [sha256] }"), keyTemplate: .default, auth: nil, configuredMetadata: 0)
    }

    func stored(expires: Date, token: String? = nil) async throws -> String {
        let route = try route()
        var record = ResumableRecord(
            id: ResumableUploads.newId(), key: "k/a.bin", length: 10, metadata: [:], partSize: 5 << 20, created: Date(), expires: expires)
        record.boundToken = token.map(ResumableUploads.tokenDigest)
        _ = try await ResumableWriter.create(record, upload: Upload(filename: "a.bin"), store: uploads().store(for: route), chain: route.chain, resources: .forTests)
        return record.id
    }

    @Test func anExpiredUploadAnswers410AndIsRemoved() async throws {
        let id = try await stored(expires: Date().addingTimeInterval(-1))
        let route = try route(), uploads = uploads()
        #expect(s3.objects.keys.contains(".sluice-resumable/\(id).info"))
        do throws(APIError) {
            _ = try await uploads.record(id, route: route, token: nil)
            Issue.record("an expired upload was served")
        } catch {
            #expect(error.status == 410 && error.error == "upload_expired")
        }
        #expect(s3.objects.keys.isEmpty)
        do throws(APIError) {
            _ = try await uploads.record(id, route: route, token: nil)
            Issue.record("a removed upload was served")
        } catch {
            #expect(error.status == 404)
        }
    }

    @Test func anUploadBoundToATokenRefusesAnother() async throws {
        let id = try await stored(expires: Date().addingTimeInterval(3600), token: "token-a")
        let route = try route(), uploads = uploads()
        #expect(try await uploads.record(id, route: route, token: "token-a").id == id)
        for other in ["token-b", nil] {
            do throws(APIError) {
                _ = try await uploads.record(id, route: route, token: other)
                Issue.record("\(other ?? "no token") was let in")
            } catch {
                #expect(error.status == 403 && error.error == "token_not_for_upload")
            }
        }
        #expect(ResumableUploads.newId().count == 32 && ResumableUploads.newId() != ResumableUploads.newId())
    }
}
