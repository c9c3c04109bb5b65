import Filters
import S3

/// S3's multipart limits, and the part size that keeps an upload within them and within memory.
enum PartSizing {
    static let minimumPartSize = 5 << 20
    static let maximumPartSize = 5 << 30
    static let maximumParts = 10_000
    /// S3's largest object.
    static let maximumObjectSize: Int64 = 5 << 40
    /// A ByteBuffer's capacity is a UInt32: no part may be larger, whatever S3 allows.
    static let largestBuffer = (Int(UInt32.max) >> 20) << 20

    /// `configured`, grown when a declared length would need more than 10,000 parts, but
    /// never past `largest`. The declared length is a claim of the bytes as uploaded; 1%
    /// headroom covers transforms that grow them (gzip on incompressible data adds a little).
    static func partSize(configured: Int, declaredLength: Int64?, largest: Int) -> Int {
        guard let declared = declaredLength, declared > Int64(configured) * Int64(maximumParts) else { return configured }
        let cap = Int64(Swift.max(configured, largest))
        // A claim near Int64.max must not overflow: it asks for the cap anyway.
        let (withHeadroom, overflow) = declared.addingReportingOverflow(declared / 100)
        guard !overflow else { return Int(cap) }
        let needed = (withHeadroom - 1) / Int64(maximumParts) + 1
        let mebibyte = Int64(1 << 20)
        let rounded = needed > cap ? cap : (needed + mebibyte - 1) / mebibyte * mebibyte
        return Int(Swift.min(rounded, cap))
    }

    /// The largest part one upload may use under a memory budget of `budget` bytes (nil: no
    /// budget): an upload holds at most half the budget, one part filling beside one in
    /// flight, so two uploads always fit. Never below `configured`, never past what S3 and a
    /// buffer allow.
    static func largestPart(configured: Int, budget: Int?) -> Int {
        let byMemory = budget.map { (($0 / 4) >> 20) << 20 } ?? Int.max
        return Swift.max(configured, Swift.min(byMemory, maximumPartSize, largestBuffer))
    }

    /// The most bytes one upload may hold in part buffers under `budget`: half of it, or two
    /// parts where a part is larger than a quarter.
    static func share(partSize: Int, budget: Int) -> Int { Swift.max(budget / 2, 2 * partSize) }

    /// Parts in flight for one upload: `configured`, fewer when parts are so large that more
    /// would take the upload past its share of the budget (one more part is always filling).
    static func concurrency(configured: Int, partSize: Int, budget: Int?) -> Int {
        guard let budget else { return configured }
        return Swift.max(1, Swift.min(configured, share(partSize: partSize, budget: budget) / partSize - 1))
    }
}
