import Filters
import NIOCore
@testable import S3
@testable import Storage
import TestSupport
import Testing

@Suite struct PartSizingTests {
    @Test func partSizeGrowsOnlyWhenTenThousandPartsWouldNotDo() {
        let eight = 8 << 20
        let largest = PartSizing.largestPart(configured: eight, budget: nil)
        #expect(PartSizing.partSize(configured: eight, declaredLength: nil, largest: largest) == eight)
        #expect(PartSizing.partSize(configured: eight, declaredLength: 1 << 30, largest: largest) == eight)
        #expect(PartSizing.partSize(configured: eight, declaredLength: Int64(eight) * 10_000, largest: largest) == eight)
        // 200 GiB: 8 MiB parts would need 25,600 parts.
        let grown = PartSizing.partSize(configured: eight, declaredLength: 200 << 30, largest: largest)
        #expect(grown % (1 << 20) == 0)
        #expect(Int64(grown) * 10_000 >= (200 << 30) + (200 << 30) / 100)
        #expect(grown < 22 << 20)
        // 5 TiB, S3's largest object.
        #expect(Int64(PartSizing.partSize(configured: eight, declaredLength: 5 << 40, largest: largest)) * 10_000 >= 5 << 40)
    }

    /// A declared length is a claim: whatever it says, a part never outgrows a quarter of the
    /// memory budget or what a buffer holds (40 TB once asked for a 4 GiB+ buffer and trapped).
    @Test(arguments: [Int64(40) << 40, Int64.max, Int64(5) << 40])
    func aClaimCannotGrowAPartPastMemory(declared: Int64) {
        let eight = 8 << 20
        let budget = 88 << 20
        let largest = PartSizing.largestPart(configured: eight, budget: budget)
        #expect(largest == 22 << 20)
        #expect(PartSizing.partSize(configured: eight, declaredLength: declared, largest: largest) == largest)
        // Without a budget, a buffer's limit still holds.
        let unbudgeted = PartSizing.largestPart(configured: eight, budget: nil)
        #expect(unbudgeted <= Int(UInt32.max))
        #expect(PartSizing.partSize(configured: eight, declaredLength: declared, largest: unbudgeted) <= unbudgeted)
    }

    /// One upload holds at most half the budget: with large parts it keeps fewer in flight.
    @Test func anUploadKeepsToItsShare() {
        #expect(PartSizing.concurrency(configured: 4, partSize: 8 << 20, budget: 88 << 20) == 4)
        #expect(PartSizing.concurrency(configured: 4, partSize: 22 << 20, budget: 88 << 20) == 1)
        #expect(PartSizing.concurrency(configured: 4, partSize: 8 << 20, budget: nil) == 4)
        // A configured part larger than a quarter of the budget still gets one in flight.
        #expect(PartSizing.largestPart(configured: 5 << 20, budget: 8 << 20) == 5 << 20)
        #expect(PartSizing.concurrency(configured: 2, partSize: 5 << 20, budget: 8 << 20) == 1)
    }
}
