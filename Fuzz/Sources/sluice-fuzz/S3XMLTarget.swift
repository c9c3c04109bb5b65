@testable import S3

/// The S3 XML reader (XMLElement.parse) and what reads S3's answers from it: error documents
/// (S3Error.from, and CompleteMultipartUpload's 200-with-Error), CreateMultipartUpload's
/// UploadId, CompleteMultipartUpload's ETag, ListObjectsV2 and ListMultipartUploads pages.
///
/// Invariants: no crash; a parsed document written out again (`serialized`) parses to the same
/// element tree; an error answer always has a code and keeps the status.
enum S3XMLTarget: FuzzTarget {
    static let name = "s3-xml"

    static func run(_ bytes: [UInt8]) {
        for status in [200, 404, 503] {
            let error = S3Error.from(status: status, body: bytes, requestId: "req", operation: "PutObject", resource: "bucket/key")
            Invariant.check("s3-error", error.status == status && !error.code.isEmpty, "S3Error.from(\(status)) gave \(error)")
            _ = error.description
            _ = error.isRetryable
        }
        guard let root = try? XMLElement.parse(bytes) else { return }

        // What S3Client reads from each answer, as it reads it.
        if root.name == "Error" {
            _ = S3Error(operation: "CompleteMultipartUpload", resource: "b/k", status: 200, code: root["Code"] ?? "InternalError", message: root["Message"] ?? "", requestId: root["RequestId"])
        }
        _ = root["UploadId"].map { !$0.isEmpty }
        _ = root["ETag"].map(S3Client.unquoted)
        _ = root.children("Contents").compactMap { $0["Key"] }
        _ = root["IsTruncated"] == "true" ? root["NextContinuationToken"] : nil
        for upload in root.children("Upload") { _ = (upload["Key"], upload["UploadId"]) }
        _ = (root["NextKeyMarker"], root["NextUploadIdMarker"])

        let written = serialized(root)
        let again = try? XMLElement.parse(Array(written.utf8))
        Invariant.check("xml-round-trip", again == root, "\(root) was written as \(written.debugDescription), which parses to \(String(describing: again))")
    }

    /// The element as XML: its own text first (escaped), then its children.
    static func serialized(_ element: XMLElement) -> String {
        "<\(element.name)>\(xmlEscaped(element.text))\(element.children.map(serialized).joined())</\(element.name)>"
    }
}
