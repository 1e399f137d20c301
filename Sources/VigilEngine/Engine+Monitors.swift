import Foundation
import VigilCore
import VigilStore

extension Engine {
    /// Saves a monitor that was not declared in the configuration (e.g. one created through the API) and starts
    /// watching it as a new monitor; its slug may be shared with other monitors, its key and id may not.
    public func add(_ monitor: Monitor) async throws(EngineError) {
        let clash = registry.withLock { registry -> String? in
            if registry.contains(monitor.id) {
                return "monitor \(monitor.slug): id \(monitor.id.uuidString.lowercased()) is already watched"
            }
            if registry.id(forKey: monitor.key) != nil {
                return "monitor \(monitor.slug): key \(monitor.key.uuidString.lowercased()) is already the ping key "
                    + "of another monitor — give it a different key"
            }
            return nil
        }
        if let clash { throw EngineError(.conflict, clash) }
        let state = MonitorState.new(at: now())
        do {
            try await store.saveMonitor(monitor, initialState: state)
        } catch {
            throw EngineError(.notDurable, "cannot save monitor \(monitor.slug): \(error.message)")
        }
        registry.withLock { registry in register(monitor, state: state, in: &registry) }
    }
}
