import Foundation

/// One progress signal as the progress history keeps it.
public struct ProgressEvent: Sendable, Hashable, Codable {
    public var monitorID: UUID
    public var at: Date
    public var kind: String

    public init(monitorID: UUID, at: Date, kind: String) {
        self.monitorID = monitorID
        self.at = at
        self.kind = kind
    }
}

/// What happened over a range: incident metrics by monitor, tag, cause, blocker and action, patterns and a digest.
public struct JournalReport: Sendable, Hashable, Codable {
    /// One group's metrics, e.g. the monitor `nightly-backup` or the tag `prod`.
    public struct Group: Sendable, Hashable, Codable {
        public var key: String
        public var metrics: IncidentMetrics
        /// For actions: the share of recovered incidents this action resolved.
        public var shareOfRecoveries: Double?

        enum CodingKeys: String, CodingKey {
            case key, metrics
            case shareOfRecoveries = "share_of_recoveries"
        }
    }

    /// A monitor's time in stall incidents.
    public struct StalledTime: Sendable, Hashable, Codable {
        public var monitor: String
        public var stalled: TimeInterval
        public var incidents: Int
    }

    /// A blocker and how often it was the root cause.
    public struct BlockerCount: Sendable, Hashable, Codable {
        public var blocker: String
        public var incidents: Int
    }

    /// Progress signals of one kind in one day or week.
    public struct DigestEntry: Sendable, Hashable, Codable {
        /// The first day of the bucket, `2026-11-23`.
        public var period: String
        public var kind: String
        public var count: Int
    }

    public var range: TimeRange
    public var overall: IncidentMetrics
    public var byMonitor: [Group]
    public var byTag: [Group]
    public var byCause: [Group]
    public var byBlocker: [Group]
    public var byAction: [Group]
    /// Stall onsets by hour of week, each in its monitor's time zone.
    public var heatmap: HourOfWeekHeatmap
    public var topBlockers: [BlockerCount]
    public var stalledRanking: [StalledTime]
    public var digestByDay: [DigestEntry]
    public var digestByWeek: [DigestEntry]
    /// Progress per day for each monitor, oldest day first.
    public var sparklines: [String: [Int]]

    enum CodingKeys: String, CodingKey {
        case range, overall, heatmap, sparklines
        case byMonitor = "by_monitor"
        case byTag = "by_tag"
        case byCause = "by_cause"
        case byBlocker = "by_blocker"
        case byAction = "by_action"
        case topBlockers = "top_blockers"
        case stalledRanking = "stalled_ranking"
        case digestByDay = "digest_by_day"
        case digestByWeek = "digest_by_week"
    }

    /// Builds the report.
    /// - Parameters:
    ///   - records: incidents that may touch the range.
    ///   - monitors: slugs of every monitor reported, with their tags.
    ///   - progress: progress events in the range.
    ///   - slugs: monitor id to slug, for the digest and sparklines.
    ///   - timeZone: where days and weeks of the digest begin; default UTC.
    public init(
        records: [IncidentRecord],
        monitors: [(slug: String, tags: [String])],
        progress: [ProgressEvent],
        slugs: [UUID: String],
        range: TimeRange,
        timeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) {
        self.range = range
        overall = IncidentMetrics(records, monitors: monitors.count, range: range)
        byMonitor = monitors.map { monitor in
            Group(key: monitor.slug,
                  metrics: IncidentMetrics(records.filter { $0.monitorSlug == monitor.slug }, monitors: 1, range: range))
        }
        var tagMonitors: [String: Int] = [:]
        for monitor in monitors { for tag in Set(monitor.tags) { tagMonitors[tag, default: 0] += 1 } }
        byTag = tagMonitors.keys.sorted().map { tag in
            Group(key: tag, metrics: IncidentMetrics(
                records.filter { $0.tags.contains(tag) }, monitors: tagMonitors[tag] ?? 1, range: range))
        }
        func grouped(_ key: (IncidentRecord) -> String?) -> [Group] {
            let keys = Set(records.compactMap(key)).sorted()
            return keys.map { value in
                Group(key: value, metrics: IncidentMetrics(
                    records.filter { key($0) == value }, monitors: monitors.count, range: range))
            }
        }
        byCause = grouped { $0.incident.cause.rawValue }
        byBlocker = grouped(\.blocker)
        let recoveries = records.count { $0.incident.onset >= range.start && [.automatic, .human].contains($0.recoveredBy) }
        byAction = grouped(\.action).map { group in
            var group = group
            let recovered = group.metrics.recoveredAutomatically + group.metrics.recoveredByHuman
            group.shareOfRecoveries = recoveries > 0 ? Double(recovered) / Double(recoveries) : nil
            return group
        }
        var heatmap = HourOfWeekHeatmap()
        for record in records where range.overlap(from: record.incident.onset, to: record.incident.onset + 1) > 0 {
            heatmap.add(record.incident.onset, in: record.timeZone)
        }
        self.heatmap = heatmap
        topBlockers = byBlocker.map { BlockerCount(blocker: $0.key, incidents: $0.metrics.incidents) }
            .filter { $0.incidents > 0 }
            .sorted { ($1.incidents, $0.blocker) < ($0.incidents, $1.blocker) }
        stalledRanking = monitors.map { monitor in
            let stalls = records.filter { $0.monitorSlug == monitor.slug && $0.incident.cause != .failure }
            let stalled = stalls.reduce(0.0) { total, record in
                total + range.overlap(from: record.incident.onset, to: record.incident.resolvedAt ?? range.end)
            }
            return StalledTime(monitor: monitor.slug, stalled: stalled, incidents: stalls.count)
        }
        .filter { $0.stalled > 0 }
        .sorted { ($1.stalled, $0.monitor) < ($0.stalled, $1.monitor) }

        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let inRange = progress.filter { $0.at >= range.start && $0.at < range.end }
        digestByDay = Self.digest(inRange, calendar: calendar, component: .day)
        digestByWeek = Self.digest(inRange, calendar: calendar, component: .weekOfYear)
        let firstDay = calendar.startOfDay(for: range.start)
        let days = max(1, (calendar.dateComponents([.day], from: firstDay, to: range.end).day ?? 0) + 1)
        var sparklines: [String: [Int]] = [:]
        for monitor in monitors { sparklines[monitor.slug] = Array(repeating: 0, count: days) }
        for event in inRange {
            guard let slug = slugs[event.monitorID] else { continue }
            let day = calendar.dateComponents([.day], from: firstDay, to: event.at).day ?? 0
            if sparklines[slug] != nil, (0..<days).contains(day) { sparklines[slug]![day] += 1 }
        }
        self.sparklines = sparklines
    }

    private static func digest(
        _ events: [ProgressEvent], calendar: Calendar, component: Calendar.Component
    ) -> [DigestEntry] {
        var counts: [String: [String: Int]] = [:]
        let format = Date.ISO8601FormatStyle(timeZone: calendar.timeZone).year().month().day()
        for event in events {
            guard let start = calendar.dateInterval(of: component, for: event.at)?.start else { continue }
            counts[start.formatted(format), default: [:]][event.kind, default: 0] += 1
        }
        return counts.keys.sorted().flatMap { period in
            counts[period]!.keys.sorted().map { DigestEntry(period: period, kind: $0, count: counts[period]![$0]!) }
        }
    }
}
