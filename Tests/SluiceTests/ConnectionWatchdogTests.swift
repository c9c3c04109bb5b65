import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing

@testable import Sluice

/// The one timer behind the receive-rate checks and the send deadlines.
@Suite struct ConnectionWatchdogTests {
    @Test func aCheckRunsAtEachSweepUntilItIsDone() {
        let watchdog = ConnectionWatchdog()
        let runs = Mutex(0)
        _ = watchdog.arm { _ in runs.withLock { $0 += 1; return $0 == 3 } }
        for _ in 0..<5 { watchdog.sweep() }
        #expect(runs.withLock { $0 } == 3)
        #expect(watchdog.armedCount == 0)
    }

    @Test func aDisarmedCheckNeverRuns() {
        let watchdog = ConnectionWatchdog()
        let ran = Mutex(false)
        let entry = watchdog.arm { _ in ran.withLock { $0 = true }; return false }
        let other = watchdog.arm { _ in false }
        watchdog.disarm(entry)
        watchdog.sweep()
        #expect(!ran.withLock { $0 })
        #expect(watchdog.armedCount == 1)
        watchdog.disarm(other)
        #expect(watchdog.armedCount == 0)
    }

    @Test func aDeadlineClosesItsChannelOnlyOnceItHasPassed() throws {
        let watchdog = ConnectionWatchdog()
        let channel = EmbeddedChannel()
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        _ = watchdog.close(channel, after: .seconds(30))
        watchdog.sweep(now: .now + .seconds(29))
        #expect(channel.isActive)
        watchdog.sweep(now: .now + .seconds(31))
        #expect(!channel.isActive)
        #expect(watchdog.armedCount == 0)
    }

    @Test func itSweepsOnItsEventLoopUntilStopped() async throws {
        let watchdog = ConnectionWatchdog(interval: .milliseconds(20))
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let runs = Mutex(0)
        _ = watchdog.arm { _ in runs.withLock { $0 += 1 }; return false }
        watchdog.start(on: loop)
        try await Task.sleep(for: .milliseconds(300))
        watchdog.stop()
        let counted = runs.withLock { $0 }
        #expect(counted >= 3)
        try await Task.sleep(for: .milliseconds(100))
        #expect(runs.withLock { $0 } <= counted + 1)
    }
}
