import Foundation
import HTTPTypes

/// The tus 1.0.0 protocol's constants: what the endpoint says about itself in every answer.
enum Tus {
    static let version = "1.0.0"
    static let extensions = ["creation", "creation-with-upload", "creation-defer-length", "termination", "expiration", "checksum"]
    /// The body type of PATCH (and of POST with data).
    static let offsetStream = "application/offset+octet-stream"
    /// Requests and answers a browser must be allowed to send and read across origins.
    static let requestHeaders = ["tus-resumable", "upload-length", "upload-defer-length", "upload-offset", "upload-metadata", "upload-checksum"]
    static let exposedHeaders = [
        "location", "sluice-key", "sluice-content-type", "sluice-content-disposition", "sluice-digests", "sluice-receipt", "tus-resumable", "tus-version", "tus-extension", "tus-max-size", "tus-checksum-algorithm", "upload-offset", "upload-length", "upload-expires", "upload-defer-length", "upload-metadata"]
    /// The segment under a route's path where its tus endpoint is: `/upload/tus`.
    static let segment = "tus"

    /// An HTTP-date (RFC 9110), as `Upload-Expires` carries it.
    static func httpDate(_ date: Date) -> String {
        date.formatted(Date.VerbatimFormatStyle(
            format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
            locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "GMT")!, calendar: Calendar(identifier: .gregorian)))
    }
}

extension HTTPField.Name {
    static let tusResumable = Self("Tus-Resumable")!
    static let tusVersion = Self("Tus-Version")!
    static let tusExtension = Self("Tus-Extension")!
    static let tusMaxSize = Self("Tus-Max-Size")!
    static let tusChecksumAlgorithm = Self("Tus-Checksum-Algorithm")!
    static let uploadOffset = Self("Upload-Offset")!
    static let uploadLength = Self("Upload-Length")!
    static let uploadDeferLength = Self("Upload-Defer-Length")!
    static let uploadMetadata = Self("Upload-Metadata")!
    static let uploadExpires = Self("Upload-Expires")!
    static let uploadChecksum = Self("Upload-Checksum")!
    /// The stored object's key, type, disposition, digests and signed receipt, on the answer
    /// to the last PATCH (which has no body: tus answers a PATCH with 204).
    static let sluiceKey = Self("Sluice-Key")!
    static let sluiceContentType = Self("Sluice-Content-Type")!
    static let sluiceContentDisposition = Self("Sluice-Content-Disposition")!
    static let sluiceDigests = Self("Sluice-Digests")!
    static let sluiceReceipt = Self("Sluice-Receipt")!
}
