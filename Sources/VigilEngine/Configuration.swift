import Foundation
import VigilCore

/// What a `vigil.yml` declares: where to listen, how pings are stored and the monitors it owns.
public struct Configuration: Sendable, Hashable {
    /// `listen: host:port`; default `127.0.0.1:8080`.
    public var listen: ListenAddress
    /// `base_url:` used in ping URLs; default `nil`, which lets the server derive `http://<listen>`.
    public var baseURL: String?
    /// `ping_key:` the project ping key for slug URLs (`/ping/<ping key>/<slug>`); default `nil`.
    public var pingKey: String?
    /// `durability:` when a ping is acknowledged; default `.normal`.
    public var durability: Durability
    /// `ping_body_limit:` the most bytes of a ping body that are kept; default 100 000.
    public var pingBodyLimit: Int
    /// `keep_signals:` how many signals each monitor keeps; default 100.
    public var signalsKept: Int
    /// `rate_limit:` the default for every monitor, including ones created by pings; default `nil` (unlimited).
    public var rateLimit: RateLimit?
    /// `monitors:` in file order.
    public var monitors: [MonitorDeclaration]
    /// `notify:` where notices go, in file order; default none.
    public var notify: [NotifyTarget]
    /// `capabilities:`, `actions:`, `guards:`, `escalation:`, `recovery_limit:`, `recurring_blocker:`.
    public var recovery = RecoverySettings()
    /// `auth:` and `api_keys:` — who may read and change Vigil over HTTP.
    public var access = AccessSettings()

    public init(
        listen: ListenAddress = .default,
        baseURL: String? = nil,
        pingKey: String? = nil,
        durability: Durability = .normal,
        pingBodyLimit: Int = Configuration.defaultPingBodyLimit,
        signalsKept: Int = Configuration.defaultSignalsKept,
        rateLimit: RateLimit? = nil,
        monitors: [MonitorDeclaration] = [],
        notify: [NotifyTarget] = []
    ) {
        self.listen = listen
        self.baseURL = baseURL
        self.pingKey = pingKey
        self.durability = durability
        self.pingBodyLimit = pingBodyLimit
        self.signalsKept = signalsKept
        self.rateLimit = rateLimit
        self.monitors = monitors
        self.notify = notify
    }

    /// What `vigil serve` uses without a file: every setting at its default and no monitors.
    public static let `default` = Configuration()

    /// The default `ping_body_limit`: 100 000 bytes.
    public static let defaultPingBodyLimit = 100_000
    /// The allowed `ping_body_limit` values.
    public static let pingBodyLimitRange = 0...10_000_000
    /// The default `keep_signals`: 100 per monitor.
    public static let defaultSignalsKept = 100
    /// The allowed `keep_signals` values.
    public static let signalsKeptRange = 1...100_000
}

/// A host and port to listen on: `127.0.0.1:8080`, `localhost:8080` or `[::1]:8080`.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address, without the brackets of an IPv6 address.
    public var host: String
    /// The TCP port; 0 asks the system for a free one.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[ipv6]:port`; `nil` when the text is not a listen address.
    public init?(parsing text: String) {
        guard case .success(let address) = ListenAddress.parse(text) else { return nil }
        self = address
    }

    /// `127.0.0.1:8080`, the loopback address Vigil binds to by default.
    public static let `default` = ListenAddress(host: "127.0.0.1", port: 8080)

    /// `host:port`, with an IPv6 host in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// When a ping is acknowledged: `normal` after the write reaches the database's log, `full` after it is synced.
public enum Durability: String, Sendable, Hashable, CaseIterable {
    case normal
    case full
}

/// One monitor as the configuration file declares it.
public struct MonitorDeclaration: Sendable, Hashable {
    /// The map key under `monitors:`; `[a-z0-9][a-z0-9_-]{0,63}`.
    public var slug: String
    /// `key:` the monitor's ping key; `nil` lets the store keep or create one.
    public var key: UUID?
    /// From `every:`, or from `schedule:` with `tz:` (default UTC).
    public var schedule: Schedule
    /// `grace:`; default `min(period, 1h)` for `every:` and 1h for a cron schedule.
    public var grace: TimeInterval
    /// `max_runtime:` how long a started run may take; default `nil` (the grace period).
    public var maxRuntime: TimeInterval?
    /// `progress:` the signal kinds that count as progress; default `Monitor.defaultProgressKinds`.
    public var progressKinds: Set<String>
    /// `advancing:` kinds that count as progress only when their value moved; default none.
    public var advancingKinds: Set<String>
    /// The effective rate limit: the monitor's `rate_limit:`, else the top-level one; `nil` when off.
    public var rateLimit: RateLimit?
    /// `tags:` in file order, without repeats.
    public var tags: [String]
    /// The 1-based line of the monitor's name in the file; 0 when it did not come from a file.
    public var line: Int
    /// `depends_on:` the capabilities its work needs; probed when it stalls. Default none.
    public var dependsOn: [String] = []
    /// `recovery:` the actions it may use; default `nil` (a stall goes straight to a person).
    public var recovery: RecoveryPlan?
    /// `escalation:` the policy's name; default `nil` (the `default` policy).
    public var escalation: String?
    /// `calibrate:` what the monitor does with the deadline learned from its gaps; default `.off`.
    public var calibrate: CalibrationMode = .off
    /// `forecast:` rules that warn when the stall risk crosses a threshold; default none.
    public var forecast: [ForecastRule] = []

    public init(
        slug: String,
        key: UUID? = nil,
        schedule: Schedule,
        grace: TimeInterval,
        maxRuntime: TimeInterval? = nil,
        progressKinds: Set<String> = Monitor.defaultProgressKinds,
        advancingKinds: Set<String> = [],
        rateLimit: RateLimit? = nil,
        tags: [String] = [],
        line: Int = 0
    ) {
        self.slug = slug
        self.key = key
        self.schedule = schedule
        self.grace = grace
        self.maxRuntime = maxRuntime
        self.progressKinds = progressKinds
        self.advancingKinds = advancingKinds
        self.rateLimit = rateLimit
        self.tags = tags
        self.line = line
    }

    /// The grace a schedule gets when `grace:` is left out: the period up to an hour, or an hour for cron.
    public static func defaultGrace(for schedule: Schedule) -> TimeInterval {
        switch schedule {
        case .every(let period): min(period, 3600)
        case .cron: 3600
        }
    }
}

extension ListenAddress {
    /// Parses `host:port`, returning what is wrong and what to do when it is not one.
    static func parse(_ text: String) -> Result<ListenAddress, ListenAddressProblem> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.unclosedBracket) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(.missingPort) }
            portText = rest.dropFirst()
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" }),
                host.contains(":")
            else { return .failure(.badHost(String(host))) }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(.missingPort) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return .failure(.bareIPv6) }
            let allowed = host.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || $0 == "." || $0 == "-" || $0 == "_"
            }
            guard !host.isEmpty, allowed, !host.hasPrefix("-"), !host.hasPrefix(".") else {
                return .failure(.badHost(String(host)))
            }
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
            portText.count <= 6, let port = Int(portText)
        else { return .failure(.badPort(String(portText))) }
        guard (0...65535).contains(port) else { return .failure(.badPort(String(portText))) }
        return .success(ListenAddress(host: String(host), port: port))
    }

    enum ListenAddressProblem: Error {
        case missingPort
        case unclosedBracket
        case bareIPv6
        case badHost(String)
        case badPort(String)
    }
}
