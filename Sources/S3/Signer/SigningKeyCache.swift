import Crypto
import Synchronization

/// The last signing key derived, by what it was derived from: the key changes once a day, and
/// deriving it is four HMACs per request otherwise.
final class SigningKeyCache: Sendable {
    struct Scope: Equatable {
        var secret: String
        var day: String
        var region: String
        var service: String
    }

    private let last = Mutex<(scope: Scope, key: SymmetricKey)?>(nil)

    func key(for scope: Scope, derive: (Scope) -> SymmetricKey) -> SymmetricKey {
        if let (cached, key) = last.withLock({ $0 }), cached == scope { return key }
        let key = derive(scope)
        last.withLock { $0 = (scope, key) }
        return key
    }
}
