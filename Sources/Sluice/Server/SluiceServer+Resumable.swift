import Filters
import Storage

extension SluiceServer {
    /// The tus endpoints' state store, when a route is resumable (the config refused
    /// `resumable:` without S3 storage).
    func resumableUploads(
        _ routes: [UploadRoute], storage: OpenedStorage, budget: MemoryBudget, metrics: ServerMetrics, resources: FilterResources
    ) -> ResumableUploads? {
        guard routes.contains(where: { $0.config.resumable != nil }), let s3 = storage.s3, case .s3(let settings)? = config.storage?.kind else { return nil }
        return ResumableUploads(s3: s3, settings: settings, resources: resources, metrics: metrics, budget: budget)
    }
}
