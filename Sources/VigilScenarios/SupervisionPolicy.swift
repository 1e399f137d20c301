import Foundation
import Yams

/// Who supervises a world: Vigil with the world's own configuration, or restart-only supervision.
public enum SupervisionPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// The world's `vigil.yml` as written: capabilities, diagnosis, the recovery ladder, forecasts, escalation.
    case vigil
    /// What monit or systemd's `Restart=` would do: restart the worker on a stall, at most 5 times a minute, then
    /// give up and tell a person.
    case restartOnly = "restart-only"

    /// How long the baseline waits after a restart before it counts it as failed (a monit cycle, scaled).
    public static let baselineVerify = "2s"
    /// The baseline's pause before each restart (systemd's `RestartSec`, scaled up to Vigil's one-second grain).
    public static let baselineRestartDelay = "1s"
    /// The baseline's start limit (systemd's `StartLimitBurst=5` within `StartLimitIntervalSec`, scaled).
    public static let baselineLimit = "5/1m"

    /// The configuration to run the world with: the world's own for `vigil`, a derived one for `restart-only`; both
    /// send every notice to `webhook` and accept the read-only `apiKey`.
    public func configuration(from text: String, webhook: String, apiKey: String) throws(ScenarioError) -> String {
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch {
            throw ScenarioError("the world's vigil.yml is not YAML: \(error)")
        }
        guard var root = composed?.mapping else { throw ScenarioError("the world's vigil.yml is not a mapping") }
        root["listen"] = nil
        root["notify"] = Node([Node([(Node("name"), Node("harness")), (Node("webhook"), Node(webhook))])])
        root["api_keys"] = Node([Node([
            (Node("name"), Node("scenarios")), (Node("key"), Node(apiKey)), (Node("read_only"), Node("true")),
        ])])
        if self == .restartOnly { Self.restartOnly(&root) }
        do {
            return try Yams.serialize(node: .mapping(root))
        } catch {
            throw ScenarioError("cannot write the configuration: \(error)")
        }
    }

    /// Every monitor keeps its schedule and progress rules; its only recovery is its own `restart-SLUG` action,
    /// unconditionally; nothing is probed, forecast, guarded or escalated by policy.
    private static func restartOnly(_ root: inout Node.Mapping) {
        var restarts: [(Node, Node)] = []
        let declared = root["actions"]?.mapping
        if var monitors = root["monitors"]?.mapping {
            for (key, value) in monitors {
                guard let slug = key.string, var monitor = value.mapping else { continue }
                for setting in ["depends_on", "forecast", "calibrate", "escalation", "recovery"] {
                    monitor[setting] = nil
                }
                let restart = "restart-\(slug)"
                if var action = declared?[restart]?.mapping {
                    action["requires"] = nil
                    action["cost"] = nil
                    restarts.append((Node(restart), .mapping(action)))
                    monitor["recovery"] = Node([
                        (Node("actions"), Node([Node(restart)])),
                        (Node("verify_within"), Node(baselineVerify)),
                        (Node("backoff"), Node([
                            (Node("base"), Node(baselineRestartDelay)), (Node("factor"), Node("1")),
                            (Node("cap"), Node(baselineRestartDelay)), (Node("jitter"), Node("0")),
                        ])),
                        (Node("limit"), Node(baselineLimit)),
                    ])
                }
                monitors[key] = .mapping(monitor)
            }
            root["monitors"] = .mapping(monitors)
        }
        for setting in ["capabilities", "guards", "escalation", "recurring_blocker", "recovery_limit"] {
            root[setting] = nil
        }
        root["actions"] = restarts.isEmpty ? nil : Node(restarts)
    }
}
