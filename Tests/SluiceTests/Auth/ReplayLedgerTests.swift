import Foundation
import S3
@testable import Sluice
import Storage
import TestSupport
import Testing

/// Where single-use tokens are spent: once per id, in the process or in the bucket, and a
/// bucket that cannot be asked is said so rather than taken for an answer.
@Suite struct ReplayLedgerTests {
    let expires = Date().addingTimeInterval(300)

    @Test func theProcessLedgerAcceptsAnIdOnceWithinItsLifeAndStaysBounded() {
        let ledger = ReplayGuard(capacity: 2)
        let now = Date()
        #expect(ledger.use("a", expires: now.addingTimeInterval(60), now: now) == .first)
        #expect(ledger.use("a", expires: now.addingTimeInterval(60), now: now) == .replayed)
        #expect(ledger.use("b", expires: now.addingTimeInterval(60), now: now) == .first)
        #expect(ledger.use("c", expires: now.addingTimeInterval(60), now: now) == .full)
        // Once "a" and "b" have expired, their places are free again.
        #expect(ledger.use("c", expires: now.addingTimeInterval(200), now: now.addingTimeInterval(120)) == .first)
    }

    @Test func theBucketLedgerAcceptsAnIdOnceForEveryInstance() async {
        let s3 = InMemoryS3()
        let one = BucketReplayLedger(s3: s3, bucket: "b", prefix: BucketReplayLedger.defaultPrefix)
        let other = BucketReplayLedger(s3: s3, bucket: "b", prefix: BucketReplayLedger.defaultPrefix)
        #expect(await one.use("jti/with:any chars", expires: expires, now: Date()) == .first)
        #expect(await other.use("jti/with:any chars", expires: expires, now: Date()) == .replayed)
        #expect(await other.use("another", expires: expires, now: Date()) == .first)
        let markers = s3.objects.keys.filter { $0.hasPrefix(".sluice-tokens/") }
        #expect(markers.count == 2)
        #expect(markers.allSatisfy { $0.utf8.count == ".sluice-tokens/".utf8.count + 64 }, "the id's SHA-256 in hex: \(markers)")
    }

    @Test func aBucketThatCannotBeAskedIsUnavailableNotFirst() async {
        let s3 = InMemoryS3(fault: { _ in S3Error(operation: "PutObject", resource: "", status: 503, code: "SlowDown", message: "injected") })
        let ledger = BucketReplayLedger(s3: s3, bucket: "b", prefix: BucketReplayLedger.defaultPrefix)
        guard case .unavailable(let reason) = await ledger.use("x", expires: expires, now: Date()) else {
            Issue.record("expected .unavailable")
            return
        }
        #expect(reason.contains("SlowDown"))
        #expect(TokenRefusal(.ledgerUnavailable, reason).status == 503)
    }
}
