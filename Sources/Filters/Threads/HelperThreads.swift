import Foundation
import NIOCore

/// Threads beside the uploads' tasks for long CPU work that a filter's synchronous `write` hands
/// off (digests, gzip blocks), at most ``limit`` busy at once. A helper pays only while a core
/// would otherwise idle: with more uploads than cores, the readers keep the cores busy and more
/// threads would add only hand-offs. Work that finds every helper busy is done by its caller.
///
/// Owned by whoever runs chains (see ``FilterResources``) and shut down with it; threads are
/// kept between jobs, so an upload does not pay for starting one.
public final class HelperThreads: @unchecked Sendable {
    public let limit: Int
    private let condition = NSCondition()
    private var pending: [@Sendable () -> Void] = []
    private var threads = 0
    /// Threads waiting for a job that none has claimed yet.
    private var waiting = 0
    private var busy = 0
    private var closed = false

    /// One per core.
    public static var defaultLimit: Int { System.coreCount }

    /// `limit`: how many may work at once (0: none, callers do all the work).
    public init(limit: Int = HelperThreads.defaultLimit) {
        self.limit = Swift.max(0, limit)
    }

    /// Runs `work` on a helper if one is free now and returns true; returns false, running
    /// nothing, when ``limit`` helpers are busy or the helpers are shut down.
    public func run(_ work: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        guard !closed, busy < limit else {
            condition.unlock()
            return false
        }
        busy += 1
        pending.append(work)
        let start = pending.count > waiting
        if start { threads += 1 }
        condition.unlock()
        if start {
            let thread = Thread { [self] in serve() }
            thread.name = "sluice-helper"
            thread.start()
        } else {
            condition.signal()
        }
        return true
    }

    /// Helpers working now.
    public var busyCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return busy
    }

    /// Refuses new work, lets idle helpers end, and waits until the busy ones have finished.
    public func shutdown() {
        condition.lock()
        closed = true
        condition.broadcast()
        while threads > 0 { condition.wait() }
        condition.unlock()
    }

    private func serve() {
        condition.lock()
        while true {
            waiting += 1
            while pending.isEmpty && !closed { condition.wait() }
            waiting -= 1
            guard !pending.isEmpty else { break }
            let work = pending.removeFirst()
            condition.unlock()
            work()
            condition.lock()
            busy -= 1
        }
        threads -= 1
        condition.broadcast()
        condition.unlock()
    }
}
