import S3

extension ResumableStore {
    /// Removes every trace of an upload: its multipart upload (if any) aborted, its pending
    /// bytes and its record deleted. Runs to the end even when the calling task was cancelled;
    /// a failure is left to the bucket's lifecycle rule for incomplete multipart uploads.
    public func remove(_ record: ResumableRecord, bucket: String) async {
        let store = self
        await Task.detached {
            if let uploadId = record.multipartUploadId {
                try? await store.s3.abortMultipartUpload(bucket: bucket, key: record.key, uploadId: uploadId)
            }
            try? await store.s3.deleteObject(bucket: store.bucket, key: store.pendingKey(record.id), versionId: nil)
            try? await store.s3.deleteObject(bucket: store.bucket, key: store.infoKey(record.id), versionId: nil)
        }.value
    }
}
