import Foundation
import VigilCore
import VigilStore

// What the recovery coordinator asks of the engine: status changes for recovery, pausing and resuming monitors,
// journal lines and escalation notices.
extension Engine {
    /// A monitor's definition by id.
    public func monitor(id: UUID) -> Monitor? {
        registry.withLock { $0.monitor(id) }
    }

    /// A monitor's definition by slug, when exactly one monitor has it.
    public func monitor(slug: String) -> Monitor? {
        registry.withLock { registry in
            let match = registry.slugMatch(slug)
            guard match.count == 1, let id = match.id else { return nil }
            return registry.monitor(id)
        }
    }

    /// The open incident of a monitor, if any.
    public func openIncident(of monitorID: UUID) -> Incident? {
        registry.withLock { $0.state(monitorID)?.incident }
    }

    /// Every open incident with its monitor, in slug order; found without going through every monitor.
    public func openIncidents() -> [(monitor: Monitor, incident: Incident)] {
        registry.withLock { $0.openIncidents() }.sorted { lhs, rhs in
            lhs.monitor.slug != rhs.monitor.slug
                ? lhs.monitor.slug < rhs.monitor.slug : lhs.monitor.key.uuidString < rhs.monitor.key.uuidString
        }
    }

    /// `stalled` or `failing` becomes `recovering` while an action runs.
    public func beginRecovery(of monitorID: UUID, action: String) async {
        await step(monitorID) { detector, state, now in
            detector.beginRecovery(state, action: action, at: now)
        }
    }

    /// `recovering` goes back to `stalled` or `failing`: the attempt did not bring progress.
    public func endRecovery(of monitorID: UUID, reason: String) async {
        await step(monitorID) { detector, state, now in
            detector.endRecovery(state, reason: reason, at: now)
        }
    }

    /// Pauses a monitor by slug (an action or a person).
    public func pause(slug: String) async throws(EngineError) {
        guard let monitor = monitor(slug: slug) else {
            throw EngineError(.notFound, "no single monitor has the slug \(slug)")
        }
        await step(monitor.id) { detector, state, now in detector.pause(state, at: now) }
    }

    /// Resumes a paused monitor by slug.
    public func resume(slug: String) async throws(EngineError) {
        guard let monitor = monitor(slug: slug) else {
            throw EngineError(.notFound, "no single monitor has the slug \(slug)")
        }
        await step(monitor.id) { detector, state, now in detector.resume(state, at: now) }
    }

    /// Journals lines besides status changes, queues their notices and stores diagnoses, durably and together.
    public func journal(
        _ records: [JournalRecord], notices: [Notice] = [], diagnoses: [IncidentDiagnosis] = []
    ) async {
        guard !records.isEmpty || !notices.isEmpty || !diagnoses.isEmpty else { return }
        do {
            if diagnoses.isEmpty {
                try await store.appendJournal(records, notices: notices)
            } else {
                try await store.appendJournal(records, notices: notices, diagnoses: diagnoses)
            }
        } catch {
            logger.error("journal lines not durable", metadata: ["vigil.error": "\(error)"])
            return
        }
        if !notices.isEmpty { noticeWakeup.signal() }
        for record in records {
            if let monitor = monitor(id: record.monitorID) { events.publish(.journal(monitor, record)) }
        }
    }

    /// Notices of an escalation for the named channels (`all` names every channel).
    public func escalationNotices(
        monitor: Monitor,
        incident: Incident,
        channels: [String],
        reason: String,
        key: String,
        at: Date
    ) -> [Notice] {
        let state = registry.withLock { $0.state(monitor.id) }
        let payload = NoticePayload(
            event: "escalation",
            monitor: monitor.slug,
            monitorID: monitor.id.uuidString.lowercased(),
            oldState: state?.status.rawValue ?? "",
            newState: state?.status.rawValue ?? "",
            at: at,
            noticedAt: at,
            onset: incident.onset,
            incidentID: incident.id.uuidString.lowercased(),
            reason: reason,
            pingURL: pingURL(for: monitor),
            tags: monitor.tags
        )
        let targets = channels.contains("all")
            ? settings.notify : settings.notify.filter { target in target.name.map(channels.contains) ?? false }
        return targets.enumerated().compactMap { index, target in
            target.channel.notice(for: payload, idempotencyKey: "\(key).\(index)", createdAt: at)
        }
    }

    /// Applies a time-free change to one monitor and makes it durable.
    func step(_ monitorID: UUID, _ change: (Detector, MonitorState, Date) -> Decision) async {
        let now = now()
        let batch = registry.withLock { registry -> ChangeBatch? in
            guard var entry = registry[monitorID] else { return nil }
            let decision = change(Detector(monitor: entry.monitor), entry.state, now)
            guard !decision.effects.isEmpty else { return nil }
            return record(decision, of: &entry, signal: nil, in: &registry)
        }
        guard let batch else { return }
        await commitAll([batch])
    }
}
