@testable import S3
import Testing

/// The ETag S3 gives an object assembled from parts (values from Python's hashlib, and one
/// that moto gave for a one-part upload of 100 "x").
@Suite struct MultipartETagTests {
    let parts = [
        S3Client.CompletedPart(number: 2, etag: "a21075a36eeddd084e17611a238c7101"),
        S3Client.CompletedPart(number: 1, etag: "\"E09C80C42FDA55F9D992E59CA6B3307D\""),
    ]

    @Test func isTheMD5OfThePartsMD5sInPartOrderAndTheirCount() {
        #expect(MultipartETag.of(parts) == "94bfe67beece4111821a3daf596d366f-2")
        #expect(MultipartETag.of([S3Client.CompletedPart(number: 1, etag: "\"aed563ecafb4bcc5654c597a421547b2\"")]) == "bccb8986cc6b395e4f045d410c776698-1")
    }

    @Test func anObjectMatchesWhateverTheQuotesAndCase() {
        #expect(MultipartETag.matches("\"94BFE67BEECE4111821A3DAF596D366F-2\"", parts: parts))
        #expect(!MultipartETag.matches("94bfe67beece4111821a3daf596d366f-3", parts: parts))
        #expect(!MultipartETag.matches("e09c80c42fda55f9d992e59ca6b3307d", parts: parts), "a single PutObject's ETag")
        #expect(!MultipartETag.matches(nil, parts: parts))
    }

    @Test func partsWhoseETagsAreNotMD5sGiveNone() {
        // SSE-KMS and SSE-C parts' ETags are not their MD5s: nothing can be said.
        #expect(MultipartETag.of([S3Client.CompletedPart(number: 1, etag: "\"part-1\"")]) == nil)
        #expect(MultipartETag.of([S3Client.CompletedPart(number: 1, etag: "\"e09c80c42fda55f9d992e59ca6b330\"")]) == nil)
        #expect(!MultipartETag.matches("94bfe67beece4111821a3daf596d366f-1", parts: [S3Client.CompletedPart(number: 1, etag: "x")]))
    }

    @Test func partsEncryptedWithAKeyGiveNoneThoughTheirETagsLookLikeMD5s() {
        var sealed = parts
        sealed[0].etagIsMD5 = false
        #expect(MultipartETag.of(sealed) == nil)
        #expect(!MultipartETag.matches("94bfe67beece4111821a3daf596d366f-2", parts: sealed))
    }

    @Test func anAssembledObjectsETagEndsInADashAndItsPartCount() {
        #expect(MultipartETag.isOfAssembledObject("\"94bfe67beece4111821a3daf596d366f-2\""))
        #expect(MultipartETag.isOfAssembledObject("94bfe67beece4111821a3daf596d366f-10000"))
        #expect(!MultipartETag.isOfAssembledObject("\"e09c80c42fda55f9d992e59ca6b3307d\""), "a single PutObject's ETag")
        #expect(!MultipartETag.isOfAssembledObject("94bfe67beece4111821a3daf596d366f-"))
        #expect(!MultipartETag.isOfAssembledObject("94bfe67beece4111821a3daf596d366f-2a"))
        #expect(!MultipartETag.isOfAssembledObject(nil))
    }
}
