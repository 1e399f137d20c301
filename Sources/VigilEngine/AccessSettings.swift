import Crypto
import Foundation

/// Who may read and change Vigil over HTTP: `auth:` and `api_keys:` in vigil.yml.
public struct AccessSettings: Sendable, Hashable {
    /// `auth:` — `on` (default): the APIs, the dashboard and `/metrics` need an API key or a login session;
    /// `off`: everyone who reaches the listener may read and change everything, allowed only on loopback.
    public var required: Bool
    /// `api_keys:` keys declared in the file, in file order; default none.
    public var keys: [ConfiguredAPIKey]

    public init(required: Bool = true, keys: [ConfiguredAPIKey] = []) {
        self.required = required
        self.keys = keys
    }
}

/// An API key declared in vigil.yml, by its digest.
public struct ConfiguredAPIKey: Sendable, Hashable {
    public var name: String
    /// The lowercase hex SHA-256 of the key.
    public var hash: String
    public var readOnly: Bool

    public init(name: String, hash: String, readOnly: Bool) {
        self.name = name
        self.hash = hash
        self.readOnly = readOnly
    }
}

/// Making and recognising API keys; only digests are ever kept.
public enum APIKey {
    /// Every key starts with this, so that secret scanners and people recognise it.
    public static let prefix = "vigil_"

    /// A new random key: the prefix and 32 letters and digits (about 190 bits).
    public static func generate() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The lowercase hex SHA-256 of a key, as stored.
    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// True when `text` looks like a SHA-256 digest in hex.
    public static func isDigest(_ text: String) -> Bool {
        text.count == 64 && text.allSatisfy { $0.isHexDigit }
    }
}
