import CLibcrypto

/// A hash from the system's libcrypto (OpenSSL) through its low-level API, whose context is a
/// plain struct: its bytes are the midstate, so the digest can be saved and resumed.
struct LibcryptoDigest<Hash: LibcryptoHash>: ResumableDigest {
    private var context = Hash.Context.zeroed

    init() {
        withUnsafeMutablePointer(to: &context) { _ = Hash.initialize($0) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        withUnsafeMutablePointer(to: &context) { _ = Hash.update($0, base, bytes.count) }
    }

    mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Hash.digestLength)
        digest.withUnsafeMutableBufferPointer { out in
            withUnsafeMutablePointer(to: &context) { _ = Hash.final(out.baseAddress!, $0) }
        }
        return digest
    }

    /// Format 1: the context struct as this platform lays it out (OpenSSL's public struct of
    /// 32-bit words, host byte order), after a byte naming the format and one naming its size.
    func savedState() -> [UInt8] {
        [Self.format, UInt8(truncatingIfNeeded: MemoryLayout<Hash.Context>.size)] + withUnsafeBytes(of: context) { Array($0) }
    }

    init(savedState state: [UInt8]) throws(DigestStateError) {
        let size = MemoryLayout<Hash.Context>.size
        guard state.count == 2 + size, state[0] == Self.format, state[1] == UInt8(truncatingIfNeeded: size) else {
            throw DigestStateError(algorithm: Hash.name)
        }
        withUnsafeMutableBytes(of: &context) { $0.copyBytes(from: state[2...]) }
    }

    private static var format: UInt8 { 1 }
}

/// One of libcrypto's low-level hashes: its context type and functions.
protocol LibcryptoHash {
    associatedtype Context: ZeroedContext
    static var name: String { get }
    static var digestLength: Int { get }
    static func initialize(_ context: UnsafeMutablePointer<Context>) -> Int32
    static func update(_ context: UnsafeMutablePointer<Context>, _ bytes: UnsafeRawPointer, _ count: Int) -> Int32
    static func final(_ digest: UnsafeMutablePointer<UInt8>, _ context: UnsafeMutablePointer<Context>) -> Int32
}

/// A C context struct that starts as all zeros (its init function fills it in).
protocol ZeroedContext {
    static var zeroed: Self { get }
}

extension SHA256_CTX: ZeroedContext { static var zeroed: SHA256_CTX { SHA256_CTX() } }
extension SHA_CTX: ZeroedContext { static var zeroed: SHA_CTX { SHA_CTX() } }
extension MD5_CTX: ZeroedContext { static var zeroed: MD5_CTX { MD5_CTX() } }

enum LibcryptoSHA256: LibcryptoHash {
    static let name = "sha256"
    static let digestLength = Int(SHA256_DIGEST_LENGTH)
    static func initialize(_ context: UnsafeMutablePointer<SHA256_CTX>) -> Int32 { SHA256_Init(context) }
    static func update(_ context: UnsafeMutablePointer<SHA256_CTX>, _ bytes: UnsafeRawPointer, _ count: Int) -> Int32 {
        SHA256_Update(context, bytes, count)
    }
    static func final(_ digest: UnsafeMutablePointer<UInt8>, _ context: UnsafeMutablePointer<SHA256_CTX>) -> Int32 {
        SHA256_Final(digest, context)
    }
}

enum LibcryptoSHA1: LibcryptoHash {
    static let name = "sha1"
    static let digestLength = Int(SHA_DIGEST_LENGTH)
    static func initialize(_ context: UnsafeMutablePointer<SHA_CTX>) -> Int32 { SHA1_Init(context) }
    static func update(_ context: UnsafeMutablePointer<SHA_CTX>, _ bytes: UnsafeRawPointer, _ count: Int) -> Int32 {
        SHA1_Update(context, bytes, count)
    }
    static func final(_ digest: UnsafeMutablePointer<UInt8>, _ context: UnsafeMutablePointer<SHA_CTX>) -> Int32 {
        SHA1_Final(digest, context)
    }
}

enum LibcryptoMD5: LibcryptoHash {
    static let name = "md5"
    static let digestLength = Int(MD5_DIGEST_LENGTH)
    static func initialize(_ context: UnsafeMutablePointer<MD5_CTX>) -> Int32 { MD5_Init(context) }
    static func update(_ context: UnsafeMutablePointer<MD5_CTX>, _ bytes: UnsafeRawPointer, _ count: Int) -> Int32 {
        MD5_Update(context, bytes, count)
    }
    static func final(_ digest: UnsafeMutablePointer<UInt8>, _ context: UnsafeMutablePointer<MD5_CTX>) -> Int32 {
        MD5_Final(digest, context)
    }
}
