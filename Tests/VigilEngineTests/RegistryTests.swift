import Foundation
import Testing
import VigilCore

@testable import VigilEngine

@Suite("Engine registry")
struct RegistryTests {
    private static let start = Date(timeIntervalSinceReferenceDate: 800_000_000.123_456)

    private static func monitor(_ slug: String, every period: Double = 60, name: String = "") -> Monitor {
        Monitor(id: UUID(), key: UUID(), slug: slug, schedule: .every(period), grace: 10, origin: .api, name: name)
    }

    private static func entry(_ monitor: Monitor, state: MonitorState? = nil) -> Engine.Entry {
        Engine.Entry(monitor: monitor, state: state ?? .new(at: start), queued: nil, limiter: nil)
    }

    @Test("an entry reads back exactly as written: dates, incident, limiter, queued deadline, name and notes")
    func roundTrip() throws {
        var registry = Engine.Registry()
        var monitor = Self.monitor("backup", name: "Nightly backup")
        monitor.desc = "copies the database"
        monitor.rateLimit = RateLimit(count: 3, window: 60)
        monitor.tags = ["team:data"]
        let incident = Incident(
            id: UUID(), monitorID: monitor.id, cause: .stall, onset: Self.start, detectedAt: Self.start + 0.1)
        let state = MonitorState(
            status: .stalled, since: Self.start + 1.7, lastSignalAt: Self.start + 0.3, lastProgressAt: nil,
            lastValues: ["rows": 12], runs: ["r1": Self.start + 0.2], incident: incident, revision: 9
        )
        var limiter = RateLimiter(limit: RateLimit(count: 3, window: 60))
        _ = limiter.admit(at: Self.start)
        registry[monitor.id] = Engine.Entry(monitor: monitor, state: state, queued: Self.start + 5, limiter: limiter)

        let read = try #require(registry[monitor.id])
        #expect(read.monitor == monitor)
        #expect(read.state == state)
        #expect(read.queued == Self.start + 5)
        #expect(read.limiter == limiter)

        registry.setState(.new(at: Self.start), for: monitor.id)
        #expect(registry.state(monitor.id) == .new(at: Self.start))
        #expect(registry.state(monitor.id)?.incident == nil)
        // A deadline is queued only when it is earlier than the one already queued.
        let later = registry.queue(Self.start + 6, for: monitor.id)
        let earlier = registry.queue(Self.start + 4, for: monitor.id)
        let unknown = registry.queue(Self.start, for: UUID())
        #expect(!later && earlier && !unknown)
        #expect(registry[monitor.id]?.queued == Self.start + 4)
    }

    @Test("a shared slug is found by all its monitors and stays ambiguous until one is left")
    func sharedSlug() {
        var registry = Engine.Registry()
        let first = Self.monitor("etl"), second = Self.monitor("etl"), third = Self.monitor("etl")
        for monitor in [first, second, third] { registry[monitor.id] = Self.entry(monitor) }
        #expect(registry.ids(forSlug: "etl") == [first.id, second.id, third.id])
        #expect(registry.slugMatch("etl").count == 3)

        registry[first.id] = nil
        #expect(registry.ids(forSlug: "etl") == [second.id, third.id])
        registry[third.id] = nil
        let match = registry.slugMatch("etl")
        #expect(match.id == second.id && match.count == 1)
        registry[second.id] = nil
        #expect(registry.slugMatch("etl").count == 0)
        #expect(registry.ids(forSlug: "etl").isEmpty)
        #expect(registry.count == 0)
    }

    @Test("renaming and rekeying a monitor moves it in the indexes; a removed one leaves no trace")
    func renameAndRemove() throws {
        var registry = Engine.Registry()
        let kept = Self.monitor("kept")
        var moved = Self.monitor("before")
        registry[kept.id] = Self.entry(kept)
        registry[moved.id] = Self.entry(moved)
        let oldKey = moved.key
        moved.slug = "after"
        moved.key = UUID()
        moved.schedule = .every(3_600)
        var entry = try #require(registry[moved.id])
        entry.monitor = moved
        registry[moved.id] = entry

        #expect(registry.slugMatch("before").count == 0)
        #expect(registry.slugMatch("after").id == moved.id)
        #expect(registry.id(forKey: oldKey) == nil)
        #expect(registry.id(forKey: moved.key) == moved.id)
        #expect(registry.monitor(moved.id) == moved)

        registry[moved.id] = nil
        #expect(!registry.contains(moved.id))
        #expect(registry.id(forKey: moved.key) == nil)
        #expect(registry.allEntries().map(\.monitor) == [kept])

        // The vacant slot is reused and nothing of the removed monitor shows through.
        let added = Self.monitor("added", every: 120)
        registry[added.id] = Self.entry(added)
        #expect(registry.monitor(added.id) == added)
        #expect(registry[kept.id]?.monitor == kept)
        #expect(Set(registry.allEntries().map(\.monitor.id)) == [kept.id, added.id])
    }

    @Test("monitors made from one template share its definition without mixing up their own fields")
    func sharedShapes() {
        var registry = Engine.Registry()
        registry.reserveCapacity(1_000)
        let monitors = (0..<1_000).map { index in Self.monitor("m-\(index)", every: Double(60 * (1 + index % 3))) }
        for monitor in monitors { registry[monitor.id] = Self.entry(monitor) }
        #expect(registry.count == 1_000)
        #expect(monitors.allSatisfy { registry.monitor($0.id) == $0 })
        for monitor in monitors.prefix(500) { registry[monitor.id] = nil }
        #expect(monitors.suffix(500).allSatisfy { registry.monitor($0.id) == $0 })
    }
}

extension RegistryTests {
    @Test("open incidents are found with their monitors, and a resolved one is no longer among them")
    func openIncidents() throws {
        var registry = Engine.Registry()
        let quiet = Self.monitor("quiet"), stalled = Self.monitor("stalled")
        registry[quiet.id] = Self.entry(quiet)
        let incident = Incident(
            id: UUID(), monitorID: stalled.id, cause: .stall, onset: Self.start, detectedAt: Self.start + 1)
        registry[stalled.id] = Self.entry(
            stalled, state: MonitorState(status: .stalled, since: Self.start, incident: incident))
        let open = registry.openIncidents()
        #expect(open.map(\.monitor) == [stalled])
        #expect(open.map(\.incident) == [incident])
        registry.setState(MonitorState(status: .up, since: Self.start + 2), for: stalled.id)
        #expect(registry.openIncidents().isEmpty)
    }
}
