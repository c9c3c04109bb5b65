/// A libmagic handle loaded from its own copy of the database, in which every rule the
/// prefilter can rule out is switched off at rest. For a sample, it switches on the rules whose
/// literal the sample may hold, asks libmagic, and switches them off again: a few dozen bytes
/// written per sample instead of thousands of rules run. Used by one upload at a time (see
/// ``MagicPool``), hence `@unchecked Sendable`.
final class PrefilteredMagicHandle: @unchecked Sendable {
    private let prefilter: MagicPrefilter
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let handle: MagicHandle
    private var sample = SampleBytePairs()
    private var candidates: [Int] = []

    init(database: MagicDatabase, prefilter: MagicPrefilter) throws(MagicError) {
        let buffers = database.copyOfBuffers()
        for gate in prefilter.gates { buffers[gate.buffer][gate.flagOffset] = gate.flag & ~CompiledMagicRules.Entry.passBits }
        do {
            self.handle = try MagicHandle(loading: buffers.map { UnsafeRawBufferPointer($0) })
        } catch {
            buffers.forEach { $0.deallocate() }
            throw error
        }
        self.prefilter = prefilter
        self.buffers = buffers
    }

    deinit { buffers.forEach { $0.deallocate() } }

    /// The verdict of the full database on a sample that may be text, or nil for any other
    /// sample (rules would be ruled out that its text pass could match: it needs the full database).
    func identify(_ sampleBytes: UnsafeRawBufferPointer) throws(MagicError) -> String? {
        guard sample.record(sampleBytes) else { return nil }
        prefilter.candidates(in: sample, into: &candidates)
        switchCandidates(on: true)
        defer { switchCandidates(on: false) }
        return try handle.identify(sampleBytes)
    }

    private func switchCandidates(on: Bool) {
        for index in candidates {
            let gate = prefilter.gates[index]
            buffers[gate.buffer][gate.flagOffset] = on ? gate.flag : gate.flag & ~CompiledMagicRules.Entry.passBits
        }
    }
}
