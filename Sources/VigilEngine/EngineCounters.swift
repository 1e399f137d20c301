import Synchronization

/// Counters of what the engine acknowledged since it started, for `/metrics`.
public final class EngineCounters: Sendable {
    private let signalsByKind = Mutex<[String: Int]>([:])

    public init() {}

    /// Acknowledged signals by kind; typed kinds keep their names, exit statuses count as `exit`.
    public var signals: [String: Int] { signalsByKind.withLock { $0 } }

    func countSignal(kind: String) {
        let name = kind.hasPrefix("exit:") ? "exit" : kind
        signalsByKind.withLock { $0[name, default: 0] += 1 }
    }
}
