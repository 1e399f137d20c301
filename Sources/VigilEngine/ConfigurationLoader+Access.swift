import Foundation
import VigilCore
import Yams

extension ConfigurationReader.Context {
    static let apiKeyKeys = ["name", "key", "key_sha256", "read_only"]
}

// Reading `auth:` and `api_keys:`.
extension ConfigurationReader {
    mutating func readAuth(_ entry: Entry, into access: inout AccessSettings) {
        guard let value = scalar(entry, example: "on", in: .topLevel) else { return }
        switch value.lowercased() {
        case "on", "true", "yes": access.required = true
        case "off", "false", "no": access.required = false
        default: report(entry.value, "auth \"\(value)\" is not known — use on (the default) or off")
        }
    }

    mutating func readAPIKeys(_ entry: Entry, into access: inout AccessSettings) {
        if entry.value.null != nil { return }
        guard let sequence = entry.value.sequence else {
            report(entry.value, "api_keys must be a list — e.g. \"- name: grafana\" with \"key_sha256:\" and \"read_only: true\"")
            return
        }
        var names: Set<String> = []
        for (index, item) in sequence.enumerated() {
            let context = Context.section(
                prefix: "api key \(index + 1): ", suffix: " in api key \(index + 1)", keys: Context.apiKeyKeys
            )
            guard let mapping = item.mapping else {
                report(item, "api key \(index + 1) must be a mapping — e.g. \"- name: grafana\" and \"key_sha256: …\"")
                continue
            }
            var name: String?
            var hash: String?
            var readOnly = false
            for field in entries(of: mapping, in: context) {
                switch field.name {
                case "name":
                    name = scalar(field, example: "grafana", in: context)
                case "key":
                    guard let key = scalar(field, example: "vigil_…", in: context) else { continue }
                    if key.count < 16 {
                        report(field.value, "api key \(index + 1): key is too short to be secret — use at least 16"
                            + " characters, e.g. one printed by \"vigil keys create\"")
                    } else {
                        hash = APIKey.hash(key)
                    }
                case "key_sha256":
                    guard let digest = scalar(field, example: "3b1f…", in: context) else { continue }
                    if APIKey.isDigest(digest) {
                        hash = digest.lowercased()
                    } else {
                        report(field.value, "api key \(index + 1): key_sha256 must be 64 hex digits — make it with"
                            + " \"printf %s KEY | sha256sum\"")
                    }
                case "read_only":
                    readOnly = boolean(field, in: context) ?? false
                default:
                    reportUnknownKey(field, in: context)
                }
            }
            guard let name else {
                report(item, "api key \(index + 1) has no name — e.g. name: grafana")
                continue
            }
            guard let hash else {
                report(item, "api key \(index + 1) (\(name)) has neither key nor key_sha256 — add one of them")
                continue
            }
            guard names.insert(name).inserted else {
                report(item, "api key \(index + 1): name \"\(name)\" is already used — give each key its own name")
                continue
            }
            access.keys.append(ConfiguredAPIKey(name: name, hash: hash, readOnly: readOnly))
        }
    }

    mutating func checkAuth(_ configuration: Configuration, authLine: Int?) {
        if !configuration.access.required, !isLoopback(configuration.listen.host) {
            report(
                line: authLine,
                "auth: off is allowed only on a loopback listener, and listen is \(configuration.listen) — remove"
                    + " \"auth: off\" and use API keys (vigil keys create), or listen on 127.0.0.1"
            )
        }
    }
}
