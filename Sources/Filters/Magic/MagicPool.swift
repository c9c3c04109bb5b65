import Synchronization

/// Loaded libmagic handles shared by all uploads (through ``FilterResources``): loading the
/// database per upload would be wasteful, and one handle must never serve two uploads at once.
final class MagicPool: Sendable {
    /// The compiled database every handle loads, or nil to let libmagic load its own.
    let database: MagicDatabase?
    private let idle = Mutex<[MagicHandle]>([])
    private let keep = 16

    init(database: MagicDatabase?) {
        self.database = database
    }

    /// Runs `body` with a handle that no one else uses meanwhile.
    func withHandle<T>(_ body: (MagicHandle) throws -> T) throws -> T {
        let handle = try idle.withLock { $0.popLast() } ?? MagicHandle(database: database)
        defer {
            idle.withLock { handles in
                if handles.count < keep { handles.append(handle) }
            }
        }
        return try body(handle)
    }
}
