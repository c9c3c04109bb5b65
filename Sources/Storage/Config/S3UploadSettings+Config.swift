import Filters
import S3

extension S3UploadSettings {
    static let configKeys = [
        "bucket", "region", "endpoint", "pathStyle", "partSize", "concurrency", "checksum", "cacheControl", "storageClass",
        "serverSideEncryption", "kmsKeyId", "metadata", "accessKeyId", "secretAccessKey", "sessionToken", "signPayload", "retries",
        "timeout",
    ]

    static let storageClasses = [
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE",
        "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE",
    ]

    /// Reads `storage:` for `type: s3`.
    init(_ map: ConfigMap) throws(ConfigError) {
        let bucketNode = try map.required("bucket")
        self.init(bucket: try bucketNode.string())
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else {
            throw bucketNode.error("\"\(bucket)\" is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens)")
        }
        region = try map["region"].map { node throws(ConfigError) in try node.string() }
        if let node = map["endpoint"] {
            let url = try node.string()
            do { _ = try S3Endpoint.custom(url, pathStyle: true) } catch { throw node.error(error.message) }
            endpoint = url
        }
        pathStyle = try map["pathStyle"].map { node throws(ConfigError) in try node.bool() }
        if let node = map["partSize"] {
            let size = try node.size()
            guard Int64(PartSizing.minimumPartSize)...Int64(PartSizing.largestBuffer) ~= size else {
                throw node.error("must be between 5MiB (S3's smallest part) and \(ByteSize.format(Int64(PartSizing.largestBuffer))) (the largest buffer)")
            }
            partSize = Int(size)
        }
        if let node = map["concurrency"] { concurrency = try node.int(in: 1...64) }
        if let node = map["checksum"] {
            let name = try node.string()
            guard let value = S3Checksum(rawValue: name) else {
                throw node.error("\"\(name)\" is not one of: \(S3Checksum.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            checksum = value
        }
        if let node = map["cacheControl"] { cacheControl = try S3UploadSettings.headerValue(node) }
        if let node = map["storageClass"] {
            let value = try node.string()
            guard S3UploadSettings.storageClasses.contains(value) else {
                throw node.error("\"\(value)\" is not a storage class (\(S3UploadSettings.storageClasses.joined(separator: ", ")))")
            }
            storageClass = value
        }
        if let node = map["serverSideEncryption"] {
            let value = try node.string()
            guard ["AES256", "aws:kms", "aws:kms:dsse"].contains(value) else { throw node.error("\"\(value)\" is not one of: AES256, aws:kms, aws:kms:dsse") }
            serverSideEncryption = value
        }
        if let node = map["kmsKeyId"] {
            guard serverSideEncryption?.hasPrefix("aws:kms") == true else { throw node.error("kmsKeyId needs serverSideEncryption: aws:kms") }
            kmsKeyId = try node.string()
        }
        if let node = map["metadata"] {
            for (name, valueNode) in try node.mapping().entries {
                guard !name.isEmpty, MediaType.isToken(name) else { throw valueNode.error("\"\(name)\" cannot be a metadata name (letters, digits, - and _)") }
                let value = try valueNode.string()
                guard value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
                    throw valueNode.error("metadata values must be printable ASCII: S3 sends them as HTTP headers (encode other text yourself, e.g. percent-encoding)")
                }
                metadata.append((name.lowercased(), value))
            }
        }
        let key = try map["accessKeyId"].map { node throws(ConfigError) in try node.string() }
        let secret = try map["secretAccessKey"].map { node throws(ConfigError) in try node.string() }
        switch (key, secret) {
        case let (key?, secret?):
            let token = try map["sessionToken"].map { node throws(ConfigError) in try node.string() }
            credentials = S3Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token, source: "config")
        case (nil, nil):
            if let node = map["sessionToken"] { throw node.error("sessionToken needs accessKeyId and secretAccessKey") }
        default:
            throw map.node.error("set both accessKeyId and secretAccessKey, or neither (better: use the environment or ~/.aws/credentials)")
        }
        if let node = map["signPayload"] { signPayload = try node.bool() }
        if let node = map["retries"] { maxAttempts = try node.int(in: 0...10) + 1 }
        if let node = map["timeout"] {
            let seconds = try node.seconds(example: "60")
            guard seconds > 0 else { throw node.error("must be more than 0 seconds") }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
    }

    static func headerValue(_ node: ConfigNode) throws(ConfigError) -> String {
        let value = try node.string()
        guard value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else { throw node.error("must be printable ASCII") }
        return value
    }
}
