/// What uploads share while they run through chains: the helper threads and libmagic's handles.
/// Whoever runs chains makes one (the server when it starts, filterctl for its run), hands it to
/// every run, and shuts it down at the end.
public final class FilterResources: Sendable {
    public let helperThreads: HelperThreads
    let magic: MagicPool

    /// `helperThreads`: how many helpers may work at once (0: every filter works on its
    /// upload's own task). `magicPrefilter`: false gives every sample libmagic's full analysis,
    /// with the same verdicts, slower on text (docs/PERFORMANCE.md).
    public init(helperThreads: Int = HelperThreads.defaultLimit, magicPrefilter: Bool = true) {
        self.helperThreads = HelperThreads(limit: helperThreads)
        self.magic = MagicPool(database: MagicDatabase.system(), prefilter: magicPrefilter)
    }

    /// Waits for the helpers' work to end and stops them; filters that run after it work on
    /// their upload's own task.
    public func shutdown() {
        helperThreads.shutdown()
    }
}
