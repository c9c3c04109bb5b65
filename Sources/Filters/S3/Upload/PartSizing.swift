/// S3's multipart limits, and the part size that keeps an upload within them.
enum PartSizing {
    static let minimumPartSize = 5 << 20
    static let maximumPartSize = 5 << 30
    static let maximumParts = 10_000

    /// `configured`, grown when a declared length would need more than 10,000 parts. The
    /// declared length is of the bytes as uploaded; 1% headroom covers transforms that grow
    /// them (gzip on incompressible data adds a little).
    static func partSize(configured: Int, declaredLength: Int64?) -> Int {
        guard let declared = declaredLength, declared > Int64(configured) * Int64(maximumParts) else { return configured }
        let needed = (declared + declared / 100 + Int64(maximumParts) - 1) / Int64(maximumParts)
        let mebibyte = Int64(1 << 20)
        let rounded = (needed + mebibyte - 1) / mebibyte * mebibyte
        return Int(Swift.min(rounded, Int64(maximumPartSize)))
    }
}
