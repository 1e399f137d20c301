import Foundation
import VigilCore
import VigilStore

extension Engine {
    /// Loads every monitor from the store, brings the declared ones in line with the configuration, and applies
    /// the deadlines that passed while Vigil was down, each with its true onset.
    /// - Returns: the monitors now watched.
    @discardableResult
    public func start(declaring declarations: [MonitorDeclaration]) async throws(EngineError) -> Int {
        let stored: [StoredMonitor]
        do {
            stored = try await store.loadMonitors()
        } catch {
            throw EngineError(.notDurable, "cannot load monitors: \(error.message)")
        }
        let declaredBySlug = Dictionary(
            stored.filter { $0.monitor.origin == .config }.map { ($0.monitor.slug, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        let startedAt = now()
        // A monitor that a ping created and the file now declares becomes the file's, keeping its key and history.
        let declaredSlugs = Set(declarations.map(\.slug))
        let adoptable = Dictionary(
            stored.filter { $0.monitor.origin == .autoProvisioned && declaredSlugs.contains($0.monitor.slug) }
                .map { ($0.monitor.slug, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        var watched: [StoredMonitor] = stored.filter { stored in
            stored.monitor.origin != .config
                && !(stored.monitor.origin == .autoProvisioned && declaredBySlug[stored.monitor.slug] == nil
                    && adoptable[stored.monitor.slug]?.monitor.id == stored.monitor.id)
        }
        var keysInUse = Set(watched.map(\.monitor.key))
        for declaration in declarations {
            let existing = declaredBySlug[declaration.slug] ?? adoptable[declaration.slug]
            let monitor = Monitor(
                id: existing?.monitor.id ?? UUID(),
                key: declaration.key ?? existing?.monitor.key ?? UUID(),
                slug: declaration.slug,
                schedule: declaration.schedule,
                grace: declaration.grace,
                maxRuntime: declaration.maxRuntime,
                progressKinds: declaration.progressKinds,
                advancingKinds: declaration.advancingKinds,
                rateLimit: declaration.rateLimit,
                tags: declaration.tags,
                origin: .config
            )
            guard keysInUse.insert(monitor.key).inserted else {
                throw EngineError(.conflict, "monitor \(declaration.slug): key \(monitor.key) is already the ping key "
                    + "of another monitor — give it a different key or remove the key line")
            }
            let state = existing?.state ?? .new(at: startedAt)
            if existing?.monitor != monitor {
                do {
                    try await store.saveMonitor(monitor, initialState: state)
                } catch {
                    throw EngineError(.notDurable, "cannot save monitor \(declaration.slug): \(error.message)")
                }
            }
            watched.append(StoredMonitor(monitor: monitor, state: state))
        }
        for old in declaredBySlug.values where !declaredSlugs.contains(old.monitor.slug) {
            do {
                try await store.archiveMonitor(id: old.monitor.id)
            } catch {
                throw EngineError(.notDurable, "cannot archive monitor \(old.monitor.slug): \(error.message)")
            }
            logger.info("monitor no longer declared; archived", metadata: ["vigil.monitor": "\(old.monitor.slug)"])
        }
        registry.withLock { registry in
            for item in watched { register(item.monitor, state: item.state, in: &registry) }
        }
        await startLearning(declaring: declarations)
        await fireDeadlines(at: now())
        return watched.count
    }
}
