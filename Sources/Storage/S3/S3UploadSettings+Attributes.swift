import Filters
import S3

extension S3UploadSettings {
    /// What the object is stored with: the chain's headers and metadata beside the config's.
    func objectAttributes(_ head: ObjectHead?) -> ObjectAttributes {
        ObjectAttributes(
            contentType: head?.contentType, contentDisposition: head?.contentDisposition, contentEncoding: head?.contentEncoding,
            cacheControl: cacheControl, storageClass: storageClass, serverSideEncryption: serverSideEncryption,
            kmsKeyId: kmsKeyId, metadata: metadata + Self.ownMetadata(head, besides: metadata))
    }

    /// The object's own metadata, sorted, without the names the config sets already.
    static func ownMetadata(_ head: ObjectHead?, besides configured: [(name: String, value: String)]) -> [(name: String, value: String)] {
        let taken = Set(configured.map(\.name))
        return (head?.metadata ?? [:]).filter { !taken.contains($0.key) }.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }
}
