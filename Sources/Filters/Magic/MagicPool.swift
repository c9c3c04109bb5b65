import Foundation
import Synchronization

/// Loaded libmagic handles shared by all uploads (through ``FilterResources``): loading the
/// database per upload would be wasteful, and one handle must never serve two uploads at once.
/// A sample goes to a prefiltered handle (``MagicPrefilter``) when one is free; one that is not
/// text, or any sample while all of those are busy, to a handle with the full database.
final class MagicPool: Sendable {
    /// The compiled database every handle loads, or nil to let libmagic load its own.
    let database: MagicDatabase?
    let prefilter: MagicPrefilter?
    private let idle = Mutex<[MagicHandle]>([])
    private let keep = 16
    private let prefiltered = Mutex<(idle: [PrefilteredMagicHandle], count: Int)>(([], 0))
    /// Each prefiltered handle holds a copy of the database (8 MiB for Debian's): at most one
    /// per core, as many as can run libmagic at once.
    private let prefilteredLimit: Int

    /// `prefilter`: false gives every sample libmagic's full analysis (the parity test's reference).
    init(database: MagicDatabase?, prefilter: Bool = true) {
        self.database = database
        self.prefilter = prefilter ? database.flatMap { MagicPrefilter($0.compiledBuffers) } : nil
        self.prefilteredLimit = Swift.min(ProcessInfo.processInfo.activeProcessorCount, 8)
    }

    /// How many prefiltered handles (each with its copy of the database) exist.
    var prefilteredHandles: Int { prefiltered.withLock { $0.count } }

    /// libmagic's verdict on a sample, e.g. "text/plain; charset=us-ascii".
    func identify(_ sample: UnsafeRawBufferPointer) throws -> String {
        if let prefilter, let database, let handle = try takePrefiltered(database, prefilter, for: sample) {
            let verdict: String?
            do {
                defer { prefiltered.withLock { $0.idle.append(handle) } }
                verdict = try handle.identify(sample)
            }
            if let verdict { return verdict }
        }
        return try withHandle { try $0.identify(sample) }
    }

    /// Runs `body` with a full-database handle that no one else uses meanwhile.
    func withHandle<T>(_ body: (MagicHandle) throws -> T) throws -> T {
        let handle = try idle.withLock { $0.popLast() } ?? MagicHandle(database: database)
        defer {
            idle.withLock { handles in
                if handles.count < keep { handles.append(handle) }
            }
        }
        return try body(handle)
    }

    /// An idle prefiltered handle, a new one while under the limit, or nil when all are busy. A
    /// new one (a copy of the database) only for a sample that may be text: a server that takes
    /// only binary files never makes one.
    private func takePrefiltered(_ database: MagicDatabase, _ prefilter: MagicPrefilter, for sample: UnsafeRawBufferPointer) throws -> PrefilteredMagicHandle? {
        if let handle = prefiltered.withLock({ $0.idle.popLast() }) { return handle }
        guard SampleBytePairs.mayBeText(sample) else { return nil }
        let mayCreate = prefiltered.withLock { state -> Bool in
            guard state.count < prefilteredLimit else { return false }
            state.count += 1
            return true
        }
        guard mayCreate else { return nil }
        do {
            return try PrefilteredMagicHandle(database: database, prefilter: prefilter)
        } catch {
            prefiltered.withLock { $0.count -= 1 }
            throw error
        }
    }
}
