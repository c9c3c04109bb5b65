import HTTPTypes

extension HTTPFields {
    /// `Connection: close`: the request or answer is the connection's last.
    var askToClose: Bool { self[.connection].map { $0.lowercased().contains("close") } ?? false }
}
