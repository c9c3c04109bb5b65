import Foundation

/// Every connection and every S3 or webhook request holds a file descriptor, and many systems
/// start a process with a soft limit of 1,024, below what `maxConnections` allows. As Go's
/// runtime does, the soft limit is raised toward what the server needs, up to the hard limit.
enum DescriptorLimit {
    /// Descriptors besides the clients' connections: S3 and webhook connections, logs, libraries.
    static let headroom = 256

    /// Raises the soft limit toward `connections` plus ``headroom``; the soft limit after,
    /// and what was needed.
    static func raise(toServe connections: Int) -> (limit: Int, needed: Int) {
        let needed = connections + headroom
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limits = rlimit()
        guard getrlimit(resource, &limits) == 0 else { return (needed, needed) }
        if limits.rlim_cur < rlim_t(needed) {
            var raised = limits
            raised.rlim_cur = min(rlim_t(needed), limits.rlim_max)
            if setrlimit(resource, &raised) == 0 { limits = raised }
        }
        return (Int(clamping: limits.rlim_cur), needed)
    }
}
