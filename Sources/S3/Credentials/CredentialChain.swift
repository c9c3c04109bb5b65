import Checksums
import Foundation

/// Where S3 credentials come from, in order: the environment, the config file (discouraged:
/// secrets do not belong in config), then the shared credentials file. The environment wins
/// over the file, as it does for the server's host and port, so one config file serves every
/// deployment.
public enum CredentialChain {
    /// The first complete set of credentials, or a message that says what was looked at.
    public static func resolve(
        configured: S3Credentials?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(S3SetupError) -> S3Credentials {
        let key = environment["AWS_ACCESS_KEY_ID"].nonEmpty, secret = environment["AWS_SECRET_ACCESS_KEY"].nonEmpty
        switch (key, secret) {
        case let (key?, secret?):
            return S3Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].nonEmpty, source: "environment")
        case (.some, nil):
            throw S3SetupError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, .some):
            throw S3SetupError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case (nil, nil):
            break
        }
        if let configured { return configured }
        let profile = environment["AWS_PROFILE"].nonEmpty ?? "default"
        let path = SharedConfigFiles.credentialsPath(environment)
        if let sections = SharedConfigFiles.read(path), let section = sections[profile] {
            guard let key = section["aws_access_key_id"].nonEmpty, let secret = section["aws_secret_access_key"].nonEmpty else {
                throw S3SetupError("\(path) [\(profile)] lacks aws_access_key_id or aws_secret_access_key")
            }
            return S3Credentials(accessKeyId: key, secretAccessKey: secret, sessionToken: section["aws_session_token"].nonEmpty, source: "\(path) [\(profile)]")
        }
        throw S3SetupError(
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add a [\(profile)] profile to \(path) (AWS_PROFILE picks another), or, discouraged, accessKeyId and secretAccessKey under storage:")
    }

    /// The region: the config's, else AWS_REGION, AWS_DEFAULT_REGION, the shared config file's.
    public static func region(configured: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let configured { return configured }
        if let region = environment["AWS_REGION"].nonEmpty ?? environment["AWS_DEFAULT_REGION"].nonEmpty { return region }
        let profile = environment["AWS_PROFILE"].nonEmpty ?? "default"
        let sections = SharedConfigFiles.read(SharedConfigFiles.configPath(environment))
        return (sections?[profile == "default" ? "default" : "profile \(profile)"] ?? sections?[profile])?["region"].nonEmpty
    }

    /// The endpoint from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, if set.
    public static func endpoint(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        environment["AWS_ENDPOINT_URL_S3"].nonEmpty ?? environment["AWS_ENDPOINT_URL"].nonEmpty
    }
}

/// ~/.aws/credentials and ~/.aws/config: INI files of `[section]` and `key = value`.
enum SharedConfigFiles {
    static func credentialsPath(_ environment: [String: String]) -> String {
        environment["AWS_SHARED_CREDENTIALS_FILE"].nonEmpty ?? home(environment) + "/.aws/credentials"
    }

    static func configPath(_ environment: [String: String]) -> String {
        environment["AWS_CONFIG_FILE"].nonEmpty ?? home(environment) + "/.aws/config"
    }

    static func home(_ environment: [String: String]) -> String {
        environment["HOME"].nonEmpty ?? NSHomeDirectory()
    }

    static func read(_ path: String) -> [String: [String: String]]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return parse(text)
    }

    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = String(rawLine).trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                sections[current!, default: [:]] = sections[current!] ?? [:]
            } else if let current, let equals = line.firstIndex(of: "=") {
                let key = String(line[..<equals]).trimmingCharacters(in: .whitespaces).lowercased()
                let value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
                sections[current]?[key] = value
            }
        }
        return sections
    }
}

/// S3 storage cannot be set up: missing credentials, region or a bad endpoint.
public struct S3SetupError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
