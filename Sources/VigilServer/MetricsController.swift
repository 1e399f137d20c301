import Foundation
import Hummingbird
import NIOCore
import VigilCore
import VigilEngine
import VigilStore

/// `/metrics` in the Prometheus text format (version 0.0.4).
struct MetricsController {
    let engine: Engine
    let recovery: RecoveryCoordinator?
    let now: @Sendable () -> Date = { Date() }

    /// The detection-lag histogram's bucket bounds, in seconds.
    static let lagBounds: [Double] = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/metrics") { _, _ in
            let journal = try await answer { () async throws(EngineError) in
                try await engine.journalMetrics(lagBounds: Self.lagBounds)
            }
            var response = Response(
                status: .ok,
                body: .init(byteBuffer: ByteBuffer(string: render(engine.snapshots(), journal, engine.counters.signals)))
            )
            response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        }
    }

    func render(_ snapshots: [Engine.Snapshot], _ journal: StoreMetrics, _ signals: [String: Int]) -> String {
        var text = PrometheusText()
        let now = now()
        text.family("vigil_monitors", "gauge", "Monitors watched.")
        text.sample("vigil_monitors", [], Double(snapshots.count))

        text.family("vigil_monitor_state", "gauge", "1 for the state each monitor is in, 0 for the others.")
        for snapshot in snapshots {
            for status in MonitorStatus.allCases {
                text.sample(
                    "vigil_monitor_state", [("monitor", snapshot.monitor.slug), ("state", status.rawValue)],
                    snapshot.state.status == status ? 1 : 0
                )
            }
        }
        text.family(
            "vigil_monitor_seconds_since_progress", "gauge",
            "Seconds since each monitor's last progress; absent for a monitor that never progressed."
        )
        for snapshot in snapshots {
            guard let last = snapshot.state.lastProgressAt else { continue }
            text.sample(
                "vigil_monitor_seconds_since_progress", [("monitor", snapshot.monitor.slug)],
                max(0, now.timeIntervalSince(last))
            )
        }
        text.family("vigil_signals_total", "counter", "Signals acknowledged since Vigil started, by kind.")
        for (kind, count) in signals.sorted(by: { $0.key < $1.key }) {
            text.sample("vigil_signals_total", [("kind", kind)], Double(count))
        }
        text.family("vigil_incidents_total", "counter", "Incidents ever opened, by cause.")
        for (cause, count) in journal.incidentsByCause.sorted(by: { $0.key < $1.key }) {
            text.sample("vigil_incidents_total", [("cause", cause)], Double(count))
        }
        text.family("vigil_incidents_open", "gauge", "Incidents not yet resolved.")
        text.sample("vigil_incidents_open", [], Double(journal.openIncidents))

        text.family("vigil_detection_lag_seconds", "histogram", "From an incident's onset to its detection.")
        for bucket in journal.detectionLagBuckets {
            text.sample("vigil_detection_lag_seconds_bucket", [("le", PrometheusText.number(bucket.bound))], Double(bucket.count))
        }
        text.sample("vigil_detection_lag_seconds_bucket", [("le", "+Inf")], Double(journal.detectionLagCount))
        text.sample("vigil_detection_lag_seconds_sum", [], journal.detectionLagSum)
        text.sample("vigil_detection_lag_seconds_count", [], Double(journal.detectionLagCount))

        text.family(
            "vigil_time_to_recover_seconds", "summary",
            "From an incident's onset to its resolution; quantiles over the last 1000 resolved incidents."
        )
        let sorted = journal.recentTimesToRecover.sorted()
        for quantile in [0.5, 0.9, 0.99] where !sorted.isEmpty {
            let index = min(sorted.count - 1, Int((quantile * Double(sorted.count - 1)).rounded()))
            text.sample("vigil_time_to_recover_seconds", [("quantile", PrometheusText.number(quantile))], sorted[index])
        }
        text.sample("vigil_time_to_recover_seconds_sum", [], journal.timeToRecoverSum)
        text.sample("vigil_time_to_recover_seconds_count", [], Double(journal.timeToRecoverCount))

        text.family("vigil_recovery_attempts_total", "counter", "Recovery attempts, by action and result.")
        for attempt in journal.attempts {
            text.sample(
                "vigil_recovery_attempts_total", [("action", attempt.action), ("result", attempt.result)],
                Double(attempt.count)
            )
        }
        text.family("vigil_outbox_depth", "gauge", "Notices waiting to be delivered.")
        text.sample("vigil_outbox_depth", [], Double(journal.outboxDepth))
        return text.output
    }
}

/// Builds the Prometheus text exposition format: `# HELP`, `# TYPE`, then samples with escaped label values.
struct PrometheusText {
    private(set) var output = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        output += name
        if !labels.isEmpty {
            output += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        output += " " + Self.number(value) + "\n"
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
