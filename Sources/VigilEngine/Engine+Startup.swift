import Foundation
import Synchronization
import VigilCore
import VigilStore

extension Engine {
    /// Loads every monitor from the store, brings the declared ones in line with the configuration, and applies
    /// the deadlines that passed while Vigil was down, each with its true onset.
    /// - Returns: the monitors now watched.
    @discardableResult
    public func start(declaring declarations: [MonitorDeclaration]) async throws(EngineError) -> Int {
        let declaredSlugs = Set(declarations.map(\.slug))
        // Monitors that the file may claim wait aside; every other one goes into the registry as it is read, so that
        // a million are never held twice. Reading and registering overlap: the store decodes rows on its thread while
        // `registering` files the previous chunk, at most two chunks ahead.
        let aside = StartingMonitors()
        let registering = DispatchQueue(label: "vigil.engine.start")
        let ahead = DispatchSemaphore(value: 2)
        let file: @Sendable ([StoredMonitor]) -> Void = { chunk in
            registering.async {
                self.registry.withLock { registry in
                    for item in chunk { self.register(item.monitor, state: item.state, in: &registry) }
                }
                ahead.signal()
            }
        }
        var failure: StoreError?
        do {
            try await store.loadMonitors(
                expecting: { count in self.registry.withLock { $0.reserveCapacity(count) } },
                each: { item in
                    let origin = item.monitor.origin
                    if origin == .config || (origin == .autoProvisioned && declaredSlugs.contains(item.monitor.slug)) {
                        aside.items.withLock { $0.append(item) }
                    } else if let chunk = aside.collect(item) {
                        ahead.wait()
                        file(chunk)
                    }
                }
            )
        } catch {
            failure = error
        }
        file(aside.collect(nil) ?? [])
        await withCheckedContinuation { continuation in registering.async { continuation.resume() } }
        if let failure { throw EngineError(.notDurable, "cannot load monitors: \(failure.message)") }
        let stored = aside.items.withLock { $0 }
        let declaredBySlug = Dictionary(
            stored.filter { $0.monitor.origin == .config }.map { ($0.monitor.slug, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        let startedAt = now()
        // A monitor that a ping created and the file now declares becomes the file's, keeping its key and history.
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
        // Keys of the monitors already registered are looked up there; these are the rest.
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
            let registeredKey = registry.withLock { $0.id(forKey: monitor.key) != nil }
            guard !registeredKey, keysInUse.insert(monitor.key).inserted else {
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
        let count = registry.withLock { registry in
            for item in watched { register(item.monitor, state: item.state, in: &registry) }
            return registry.count
        }
        await startLearning(declaring: declarations)
        await fireDeadlines(at: now())
        return count
    }
}

/// What `start` gathers while monitors load: the ones held back until the declarations are applied, and the chunk
/// being filled for the registry.
private final class StartingMonitors: Sendable {
    static let chunkSize = 4_096
    let items = Mutex<[StoredMonitor]>([])
    private let chunk = Mutex<[StoredMonitor]>([])

    /// Adds a monitor to the chunk and returns the chunk once it is full; nil hands over what is left.
    func collect(_ item: StoredMonitor?) -> [StoredMonitor]? {
        chunk.withLock { chunk in
            guard let item else { return chunk.isEmpty ? nil : consume(&chunk) }
            if chunk.isEmpty { chunk.reserveCapacity(Self.chunkSize) }
            chunk.append(item)
            return chunk.count < Self.chunkSize ? nil : consume(&chunk)
        }
    }

    private func consume(_ chunk: inout [StoredMonitor]) -> [StoredMonitor] {
        defer { chunk = [] }
        return chunk
    }
}
