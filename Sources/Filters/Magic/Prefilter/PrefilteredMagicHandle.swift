/// A libmagic handle loaded from its own copy of the database, in which the rules the prefilter
/// can rule out are switched off. For a sample, it switches on the rules whose literals the
/// sample may hold and off those it cannot, then asks libmagic. A rule left on that cannot match
/// changes nothing (libmagic tries it and moves on), so only the rules whose state differs from
/// the last sample's are written: few, when uploads look alike, and each write is a cache miss
/// in the database's megabytes. Used by one upload at a time (see ``MagicPool``), hence
/// `@unchecked Sendable`.
final class PrefilteredMagicHandle: @unchecked Sendable {
    private let prefilter: MagicPrefilter
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let handle: MagicHandle
    private var sample = SampleBytePairs()
    /// The rules switched on now, and those the sample at hand needs (bits by gate index).
    private var switchedOn: [UInt64]
    private var wanted: [UInt64] = []

    init(database: MagicDatabase, prefilter: MagicPrefilter) throws(MagicError) {
        let buffers = database.copyOfBuffers()
        for gate in prefilter.gates { buffers[gate.buffer][gate.flagOffset] = gate.switchedOffFlag }
        do {
            self.handle = try MagicHandle(loading: buffers.map { UnsafeRawBufferPointer($0) })
        } catch {
            buffers.forEach { $0.deallocate() }
            throw error
        }
        self.prefilter = prefilter
        self.buffers = buffers
        self.switchedOn = [UInt64](repeating: 0, count: (prefilter.gates.count + 63) / 64)
    }

    deinit { buffers.forEach { $0.deallocate() } }

    /// The verdict of the full database on a sample that may be text, or nil for any other
    /// sample (rules would be ruled out that its text pass could match: it needs the full database).
    func identify(_ sampleBytes: UnsafeRawBufferPointer) throws(MagicError) -> String? {
        if let verdict = try builtinVerdict(sampleBytes) { return verdict }
        guard sample.record(sampleBytes) else { return nil }
        prefilter.candidates(in: sample, into: &wanted)
        for word in wanted.indices where wanted[word] != switchedOn[word] {
            var changed = wanted[word] ^ switchedOn[word]
            while changed != 0 {
                let bit = changed.trailingZeroBitCount
                changed &= changed - 1
                let gate = prefilter.gates[word * 64 + bit]
                let on = wanted[word] & (1 << UInt64(bit)) != 0
                buffers[gate.buffer][gate.flagOffset] = on ? gate.flag : gate.switchedOffFlag
            }
            switchedOn[word] = wanted[word]
        }
        return try handle.identify(sampleBytes)
    }

    /// libmagic's builtin JSON and CSV tests answer before any rule runs (and before the text
    /// tests), so when one of them recognises the sample, that is the full analysis's verdict,
    /// and the byte-pair scan is not needed. Asked only of a sample that starts like JSON or
    /// whose first line has a comma or a quote (libmagic's CSV test gives up on a first line
    /// without a comma), and is text; any other, or one they do not recognise, goes on.
    private func builtinVerdict(_ sample: UnsafeRawBufferPointer) throws(MagicError) -> String? {
        let firstLine = UnsafeRawBufferPointer(rebasing: sample.prefix { $0 != UInt8(ascii: "\n") })
        let first = sample.first { !RequiredLiteral.isBlank($0) }
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
            || firstLine.contains(UInt8(ascii: ",")) || firstLine.contains(UInt8(ascii: "\"")),
            SampleBytePairs.mayBeText(firstLine) else { return nil }
        let verdict = try handle.identify(sample, builtinTestsOnly: true)
        return MediaType.essence(verdict) == MediaType.octetStream ? nil : verdict
    }
}
