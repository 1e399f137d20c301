import Crypto
import Foundation

/// Signs badge URLs so that a badge can be embedded without a login while its URL cannot be guessed from a slug.
public struct BadgeSigner: Sendable {
    private let key: SymmetricKey

    /// A signer over `secret`; the same secret always gives the same badge URLs.
    public init(secret: [UInt8]) {
        self.key = SymmetricKey(data: secret)
    }

    /// The first 16 hex digits of HMAC-SHA256(secret, name), for names `monitor:<slug>`, `tag:<tag>` and `all`.
    public func signature(for name: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(name.utf8), using: key)
        return mac.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The path of one monitor's badge, `/badge/{signature}/monitor/{slug}.{format}`.
    public func path(monitor slug: String, format: String) -> String {
        "/badge/\(signature(for: "monitor:\(slug)"))/monitor/\(Self.segment(slug)).\(format)"
    }

    /// The path of a tag's badge, `/badge/{signature}/tag/{tag}.{format}`.
    public func path(tag: String, format: String) -> String {
        "/badge/\(signature(for: "tag:\(tag)"))/tag/\(Self.segment(tag)).\(format)"
    }

    /// The path of the badge over every monitor, `/badge/{signature}/all.{format}`.
    public func allPath(format: String) -> String {
        "/badge/\(signature(for: "all"))/all.\(format)"
    }

    /// Whether `signature` is the one for `name`, compared in constant time.
    public func verify(_ signature: String, for name: String) -> Bool {
        let expected = Array(self.signature(for: name).utf8)
        let given = Array(signature.lowercased().utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }

    // Slugs are URL-safe already; tags may not be, and a path segment must not carry `/`, `?` or `#`.
    private static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
