import Foundation

/// Something work depends on (a credential, a session, a disk, a host), and how to test it.
public struct Capability: Sendable, Hashable {
    public var name: String
    public var probe: Probe
    /// Capabilities this one needs; when one of them is blocked, this one is reported as blocked by it.
    public var needs: [String]
    /// How long a probe result is trusted before the capability is probed again; default 30 s.
    public var ttl: TimeInterval

    public init(name: String, probe: Probe, needs: [String] = [], ttl: TimeInterval = 30) {
        self.name = name
        self.probe = probe
        self.needs = needs
        self.ttl = ttl
    }
}

/// How a capability is tested.
public enum Probe: Sendable, Hashable {
    /// Runs argv (no shell); exit 0 means available; the first line of output is the reason.
    case command(argv: [String], timeout: TimeInterval)
    /// Requests the URL; available when the status is one of `expect` (default 200...399).
    case http(url: URL, expect: ClosedRange<Int>, timeout: TimeInterval)
    /// Opens a TCP connection.
    case tcp(host: String, port: Int, timeout: TimeInterval)
    /// The file exists, and when `maxAge` is set it was modified within that long.
    case file(path: String, maxAge: TimeInterval?)
    /// Available until the date that `source` yields; reported as expiring `warnBefore` ahead of it.
    case expires(source: ExpirySource, warnBefore: TimeInterval, timeout: TimeInterval)
}

/// Where an expiry date comes from.
public enum ExpirySource: Sendable, Hashable {
    case date(Date)
    /// A command whose output holds the date (ISO 8601, or `notAfter=…` as `openssl x509 -enddate` prints it).
    case command([String])
    /// A file whose first line holds the date, in the same forms.
    case file(String)
}

/// What one probe found.
public struct ProbeResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case available
        /// Available, but an expiry is near.
        case expiring
        case blocked
    }

    public var capability: String
    public var status: Status
    /// One human line: the probe's own words, or why it failed (timeout, refused, exit status).
    public var reason: String
    public var checkedAt: Date

    public init(capability: String, status: Status, reason: String, checkedAt: Date) {
        self.capability = capability
        self.status = status
        self.reason = reason
        self.checkedAt = checkedAt
    }

    public var isAvailable: Bool { status != .blocked }
}
