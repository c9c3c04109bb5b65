/// One parser under fuzzing: `run` feeds it one input and stops the process (through
/// `Invariant`) when an answer is wrong; a crash inside the parser stops it on its own.
protocol FuzzTarget: Sendable {
    /// The name `SLUICE_FUZZ_TARGET` selects it by.
    static var name: String { get }
    static func run(_ input: [UInt8])
}
