import Foundation

/// A watched thing: what it is called, when progress is due and which signals count as progress.
public struct Monitor: Sendable, Hashable, Codable {
    /// Where a monitor was declared; declared monitors are owned by the configuration file.
    public enum Origin: String, Sendable, Hashable, Codable {
        case config
        case api
        /// Created by a ping to an unknown slug with `?create=1`.
        case autoProvisioned = "auto"
    }

    /// The stable identity used in the journal; never shown in ping URLs.
    public var id: UUID
    /// The unguessable ping key: `/ping/<key>`.
    public var key: UUID
    /// The name in slug URLs: `/ping/<project ping key>/<slug>`.
    public var slug: String
    public var schedule: Schedule
    /// How long after progress was due the monitor stays `late` before it is `stalled`.
    public var grace: TimeInterval
    /// How long a started run may take before it counts as hung; `nil` means the grace period.
    public var maxRuntime: TimeInterval?
    /// Signal kinds that reset the stall clock; default `["success"]`.
    public var progressKinds: Set<String>
    /// Kinds that count as progress only when their value moved past the last one.
    public var advancingKinds: Set<String>
    /// At most this many pings in a window; `nil` means unlimited.
    public var rateLimit: RateLimit?
    public var tags: [String]
    public var origin: Origin
    /// A human name shown beside the slug; empty when none was given.
    public var name: String
    /// Free-form notes about what the monitor watches; empty when none were given.
    public var desc: String

    public init(
        id: UUID,
        key: UUID,
        slug: String,
        schedule: Schedule,
        grace: TimeInterval,
        maxRuntime: TimeInterval? = nil,
        progressKinds: Set<String> = Monitor.defaultProgressKinds,
        advancingKinds: Set<String> = [],
        rateLimit: RateLimit? = nil,
        tags: [String] = [],
        origin: Origin = .config,
        name: String = "",
        desc: String = ""
    ) {
        self.id = id
        self.key = key
        self.slug = slug
        self.schedule = schedule
        self.grace = grace
        self.maxRuntime = maxRuntime
        self.progressKinds = progressKinds
        self.advancingKinds = advancingKinds
        self.rateLimit = rateLimit
        self.tags = tags
        self.origin = origin
        self.name = name
        self.desc = desc
    }

    /// Success pings (`/ping/<key>` and exit status 0) are progress unless a monitor says otherwise.
    public static let defaultProgressKinds: Set<String> = [SignalKind.success.rawValue]

    /// The time a started run may take before the monitor counts it as hung.
    public var runLimit: TimeInterval { maxRuntime ?? grace }

    /// True when `text` may be a slug: 1 to 64 lowercase letters, digits, `-` and `_`, starting with a letter or digit.
    public static func isValidSlug(_ text: String) -> Bool {
        guard (1...64).contains(text.utf8.count) else { return false }
        for (index, byte) in text.utf8.enumerated() {
            let isLower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let isMark = byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            if !(isLower || isDigit || (index > 0 && isMark)) { return false }
        }
        return true
    }
}

/// At most `count` pings per `window` seconds for one monitor.
public struct RateLimit: Sendable, Hashable, Codable {
    public var count: Int
    public var window: TimeInterval

    public init(count: Int, window: TimeInterval) {
        self.count = count
        self.window = window
    }
}
