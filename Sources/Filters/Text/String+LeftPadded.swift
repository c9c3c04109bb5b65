extension String {
    /// Zeros in front up to `width` characters, for fixed-width hex: `"f".leftPadded(to: 2)` is `"0f"`.
    package func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
