import Foundation
import VigilCore
import VigilStore

// Changing monitors over the APIs: only monitors that the configuration file does not declare.
extension Engine {
    /// Replaces the definition of a monitor that was created over the API or by a ping, keeping its state and
    /// history; its id and ping key stay what they were.
    /// - Returns: the monitor as it is now watched.
    @discardableResult
    public func update(_ monitor: Monitor) async throws(EngineError) -> Monitor {
        guard let current = self.monitor(id: monitor.id) else {
            throw EngineError(.notFound, "no monitor has the id \(monitor.id.uuidString.lowercased())")
        }
        try requireManaged(current)
        var updated = monitor
        updated.key = current.key
        updated.origin = current.origin
        let state = registry.withLock { $0.state(monitor.id) } ?? .new(at: now())
        do {
            try await store.saveMonitor(updated, initialState: state)
        } catch {
            throw EngineError(.notDurable, "cannot save monitor \(updated.slug): \(error.message) — nothing was changed")
        }
        registry.withLock { registry in
            // The registry moves the slug's index along with the definition.
            guard var entry = registry[updated.id] else { return }
            if entry.monitor.rateLimit != updated.rateLimit {
                entry.limiter = updated.rateLimit.map(RateLimiter.init(limit:))
            }
            entry.monitor = updated
            registry[updated.id] = entry
            schedule(updated.id, at: Detector(monitor: updated).deadline(of: entry.state), in: &registry)
        }
        return updated
    }

    /// Stops watching a monitor that was created over the API or by a ping; its history is kept, archived.
    public func remove(id: UUID) async throws(EngineError) {
        guard let current = monitor(id: id) else {
            throw EngineError(.notFound, "no monitor has the id \(id.uuidString.lowercased())")
        }
        try requireManaged(current)
        do {
            try await store.archiveMonitor(id: id)
        } catch {
            throw EngineError(.notDurable, "cannot delete monitor \(current.slug): \(error.message) — nothing was changed")
        }
        registry.withLock { registry in
            registry[id] = nil
        }
    }

    /// Pauses a monitor by id: no deadlines until a signal or `resume` (any monitor, declared or not).
    public func pause(id: UUID) async throws(EngineError) {
        guard monitor(id: id) != nil else {
            throw EngineError(.notFound, "no monitor has the id \(id.uuidString.lowercased())")
        }
        await step(id) { detector, state, now in detector.pause(state, at: now) }
    }

    /// Resumes a paused monitor by id; it starts over as new, as healthchecks.io does.
    public func resume(id: UUID) async throws(EngineError) {
        guard monitor(id: id) != nil else {
            throw EngineError(.notFound, "no monitor has the id \(id.uuidString.lowercased())")
        }
        await step(id) { detector, state, now in detector.resume(state, at: now) }
    }

    /// A monitor as it stands now, by id.
    public func snapshot(id: UUID) -> Snapshot? {
        registry.withLock { $0[id] }.map(snapshot(of:))
    }

    private func requireManaged(_ monitor: Monitor) throws(EngineError) {
        if monitor.origin == .config {
            throw EngineError(
                .declared,
                "monitor \(monitor.slug) is declared in the configuration file: change it there and restart Vigil"
            )
        }
    }
}

extension Engine {
    /// The journal's counts for `/metrics`.
    public func journalMetrics(lagBounds: [Double]) async throws(EngineError) -> StoreMetrics {
        do {
            return try await store.metrics(lagBounds: lagBounds)
        } catch {
            throw EngineError(.notDurable, "cannot read the journal: \(error.message)")
        }
    }
}
