import Filters
import Foundation

/// A route's `notify:` — where Sluice tells the app what happened, signed per Standard Webhooks.
public struct WebhookConfig: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        /// The app must answer 2xx before the client gets its 201; otherwise the objects are
        /// deleted and the client gets an error.
        case await
        /// Sent after the answer, retried with backoff for `retryFor` seconds.
        case background
    }

    public var url: String
    /// The environment variable with the signing secret (`whsec_<base64>`, as the Standard
    /// Webhooks libraries take it).
    public var secretEnv: String
    public var mode: Mode = .background
    /// Seconds to wait for one delivery's answer.
    public var timeout: Double = 5
    /// Deliveries tried in `await` mode before the upload fails.
    public var attempts = 3
    /// Seconds a `background` delivery is retried for.
    public var retryFor: Double = 600
    /// `stored`, and optionally `rejected`.
    public var events: Set<String> = ["stored"]

    public init(url: String, secretEnv: String) {
        self.url = url
        self.secretEnv = secretEnv
    }

    init(_ node: ConfigNode) throws(ConfigError) {
        let map = try node.mapping(allowed: ["url", "secretEnv", "mode", "timeout", "attempts", "retryFor", "events"])
        let urlNode = try map.required("url")
        url = try urlNode.string()
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw urlNode.error("\"\(url)\" is not an http(s) URL")
        }
        let envNode = try map.required("secretEnv")
        secretEnv = try envNode.string()
        guard !secretEnv.isEmpty, secretEnv.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw envNode.error("\"\(secretEnv)\" is not an environment variable name")
        }
        if let node = map["mode"] {
            let text = try node.string()
            guard let mode = Mode(rawValue: text) else { throw node.error("\"\(text)\" is not one of: await, background") }
            self.mode = mode
        }
        if let node = map["timeout"] {
            timeout = try node.seconds(example: "5")
            guard timeout > 0, timeout <= 60 else { throw node.error("between 0 and 60 seconds") }
        }
        if let node = map["attempts"] { attempts = try node.int(in: 1...10) }
        if let node = map["retryFor"] { retryFor = try node.seconds(example: "600") }
        if let node = map["events"] {
            let list = try node.strings()
            for event in list where !["stored", "rejected"].contains(event) {
                throw node.error("\"\(event)\" is not an event (stored, rejected)")
            }
            events = Set(list)
        }
    }
}
