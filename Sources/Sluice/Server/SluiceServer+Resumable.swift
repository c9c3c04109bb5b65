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

    /// The expiry sweep over every resumable route's records.
    func resumableSweeper(_ routes: [UploadRoute], uploads: ResumableUploads?) -> ResumableSweeper? {
        guard let uploads else { return nil }
        let resumable = routes.filter { $0.config.resumable != nil }
        var stores: [ResumableStore] = []
        for route in resumable where !stores.contains(where: { $0.prefix == route.config.resumable!.prefix }) { stores.append(uploads.store(for: route)) }
        return ResumableSweeper(
            stores: stores, bucket: uploads.settings.bucket, interval: ResumableSweeper.interval(expiresAfter: resumable.map { $0.config.resumable!.expiresAfter }),
            logger: logger)
    }
}
