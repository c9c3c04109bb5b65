import Foundation

/// The log line's timestamp is local time (swift-log's stream handler calls glibc's
/// `localtime_r`), and glibc, with TZ unset, looks at /etc/localtime again on every call: one
/// `stat` per log line, so per upload (docs/PERFORMANCE.md). Naming the file in TZ makes glibc
/// read it once; the zone is the same. A TZ the operator set is left as it is.
enum LocalTimeZone {
    /// Call before any other thread exists: setenv is not safe beside a concurrent getenv.
    static func readOnce() {
        guard getenv("TZ") == nil, FileManager.default.fileExists(atPath: "/etc/localtime") else { return }
        setenv("TZ", ":/etc/localtime", 0)
    }
}
