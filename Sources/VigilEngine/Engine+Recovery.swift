import Foundation
import VigilCore
import VigilStore

// What the recovery coordinator asks of the engine: status changes for recovery, pausing and resuming monitors,
// journal lines and escalation notices.
extension Engine {
    /// A monitor's definition by id.
    public func monitor(id: UUID) -> Monitor? {
        registry.withLock { $0.entries[id]?.monitor }
    }

    /// A monitor's definition by slug, when exactly one monitor has it.
    public func monitor(slug: String) -> Monitor? {
        registry.withLock { registry in
            guard let ids = registry.idsBySlug[slug], ids.count == 1 else { return nil }
            return registry.entries[ids[0]]?.monitor
        }
    }

    /// The open incident of a monitor, if any.
    public func openIncident(of monitorID: UUID) -> Incident? {
        registry.withLock { $0.entries[monitorID]?.state.incident }
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

    /// Journals lines besides status changes and queues their notices, durably.
    public func journal(_ records: [JournalRecord], notices: [Notice] = []) async {
        guard !records.isEmpty || !notices.isEmpty else { return }
        do {
            try await store.appendJournal(records, notices: notices)
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
        let state = registry.withLock { $0.entries[monitor.id]?.state }
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
            guard var entry = registry.entries[monitorID] else { return nil }
            let decision = change(Detector(monitor: entry.monitor), entry.state, now)
            guard !decision.effects.isEmpty else { return nil }
            return record(decision, of: &entry, signal: nil, in: &registry)
        }
        guard let batch else { return }
        await commitAll([batch])
    }
}
