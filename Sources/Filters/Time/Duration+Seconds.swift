extension Duration {
    /// The duration as a number of seconds (Foundation's `TimeInterval`).
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration as a number of milliseconds.
    public var inMilliseconds: Double { Double(components.seconds) * 1e3 + Double(components.attoseconds) / 1e15 }
}
