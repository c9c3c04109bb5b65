import Foundation
@testable import S3
import TestSupport
import Testing

@Suite struct XMLTests {
    @Test func parsesS3Documents() throws {
        let root = try XMLElement.parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Bucket>uploads</Bucket>
              <!-- a comment -->
              <Upload><Key>a &amp; b &lt;c&gt; &#233;&#x263A;</Key><UploadId>id1</UploadId></Upload>
              <Upload><Key><![CDATA[x<y]]></Key><UploadId>id2</UploadId><Owner a="1>2"/></Upload>
              <IsTruncated>false</IsTruncated>
            </ListMultipartUploadsResult>
            """)
        #expect(root.name == "ListMultipartUploadsResult")
        #expect(root.children("Upload").map { $0["Key"] } == ["a & b <c> é☺", "x<y"])
        #expect(root["IsTruncated"] == "false")
    }

    @Test func refusesBrokenDocuments() {
        for text in ["", "<a>", "<a></b>", "<a>&nope;</a>", "<a></a><b/>", "not xml"] {
            #expect(throws: XMLError.self, "\(text)") { try XMLElement.parse(text) }
        }
    }

    @Test func s3ErrorsAreTyped() {
        let body = Array("<Error><Code>SignatureDoesNotMatch</Code><Message>Check your key</Message><RequestId>R1</RequestId></Error>".utf8)
        let error = S3Error.from(status: 403, body: body, requestId: nil, operation: "PutObject", resource: "b/k")
        #expect(error == S3Error(operation: "PutObject", resource: "b/k", status: 403, code: "SignatureDoesNotMatch", message: "Check your key", requestId: "R1"))
        #expect(!error.isRetryable)
        #expect(S3Error.from(status: 503, body: [], requestId: "R2", operation: "UploadPart", resource: "b/k").isRetryable)
        #expect(S3Error(operation: "x", resource: "y", status: 400, code: "RequestTimeout", message: "").isRetryable)
        #expect(S3Error.from(status: 404, body: [], requestId: nil, operation: "HeadObject", resource: "b/k").code == "NotFound")
    }

    @Test func backoffStaysUnderItsCeiling() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        for _ in 0..<200 {
            #expect(policy.delay(after: 1) <= .milliseconds(100))
            #expect(policy.delay(after: 2) <= .milliseconds(200))
            #expect(policy.delay(after: 4) <= .milliseconds(350))
        }
    }
}
