/// filterctl's exit codes (besides 0, all accepted).
enum ExitStatus {
    static let rejected: Int32 = 1
    static let failure: Int32 = 2
}
