import Foundation

/// Where the ids of single-use tokens are remembered within their life: in this process
/// (``ReplayGuard``), or in the storage bucket that every instance shares (``BucketReplayLedger``).
protocol ReplayLedger: Sendable {
    /// Records `id` until `expires`; `.first` the first time within that life.
    func use(_ id: String, expires: Date, now: Date) async -> ReplayVerdict
}

enum ReplayVerdict: Equatable, Sendable {
    case first, replayed
    /// The ledger holds as many live ids as it may.
    case full
    /// The ledger could not be asked: the token can be neither accepted nor refused as spent.
    case unavailable(String)
}
