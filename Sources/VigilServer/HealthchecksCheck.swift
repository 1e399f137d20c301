import Crypto
import Foundation
import VigilCore
import VigilEngine
import VigilStore

/// A Vigil monitor shown as a healthchecks.io check: the fields, types and words of its Management API v3.
///
/// The check's `uuid` is the monitor's ping key, as in healthchecks.io, where the ping URL carries the check's uuid.
struct HealthchecksCheck {
    var snapshot: Engine.Snapshot
    /// The pings Vigil still holds for the monitor, newest first.
    var signals: [StoredSignal]
    var channels: [HealthchecksChannel]
    var badges: BadgeSigner
    /// The start of Vigil's public URLs: `base_url:` or the listen address.
    var baseURL: String

    /// healthchecks.io's word for a state: `late` is its `grace`, every state with an open incident is `down`.
    static func status(of status: MonitorStatus) -> String {
        switch status {
        case .new: "new"
        case .up: "up"
        case .late: "grace"
        case .stalled, .failing, .recovering: "down"
        case .paused: "paused"
        }
    }

    /// The identifier a read-only key sees instead of the uuid: SHA-1 of the first 16 hex digits of the uuid, as
    /// healthchecks.io derives it, so it is stable and does not reveal the ping URL.
    static func uniqueKey(of key: UUID) -> String {
        let hex = key.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        return Insecure.SHA1.hash(data: Array(hex.prefix(16).utf8)).map { byte in
            byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }

    /// True when `text` has the shape of a unique key: 40 hex digits.
    static func isUniqueKey(_ text: String) -> Bool {
        text.utf8.count == 40 && text.allSatisfy(\.isHexDigit)
    }

    /// The check's own API URL, `<base>/api/v3/checks/<uuid>`.
    static func updateURL(of snapshot: Engine.Snapshot, baseURL: String) -> String {
        baseURL + "/api/v3/checks/" + snapshot.monitor.key.uuidString.lowercased()
    }

    /// The check as JSON; a read-only key gets `unique_key` instead of the uuid, the URLs and the channels.
    func json(readOnly: Bool) -> HealthchecksJSON {
        let monitor = snapshot.monitor
        let state = snapshot.state
        var fields: [String: HealthchecksJSON] = [
            "name": .string(monitor.name),
            "slug": .string(monitor.slug),
            "tags": .string(monitor.tags.joined(separator: " ")),
            "desc": .string(monitor.desc),
            "grace": .seconds(monitor.grace),
            "n_pings": .integer(Int64(signals.count)),
            "status": .string(Self.status(of: state.status)),
            "started": .bool(state.isRunning),
            "last_ping": HealthchecksTime.optional(state.lastSignalAt),
            // As healthchecks.io: when the grace period would start, only while the check is up or in grace.
            "next_ping": HealthchecksTime.optional(
                state.status == .up || state.status == .late ? snapshot.due : nil),
            "badge_url": .string(baseURL + badges.path(monitor: monitor.slug, format: "svg")),
        ]
        // Settings Vigil accepts but has no use for: always healthchecks.io's defaults.
        for (key, value) in HealthchecksCheckInput.ignoredDefaults { fields[key] = value }
        if let lastEnd = signals.first(where: { $0.signal.kind == .success || $0.signal.kind.isFailure }),
           let duration = lastEnd.runDuration, duration > 0
        {
            fields["last_duration"] = .seconds(duration)
        }
        if readOnly {
            fields["unique_key"] = .string(Self.uniqueKey(of: monitor.key))
        } else {
            let updateURL = Self.updateURL(of: snapshot, baseURL: baseURL)
            fields["uuid"] = .string(monitor.key.uuidString.lowercased())
            fields["ping_url"] = .string(snapshot.pingURL)
            fields["update_url"] = .string(updateURL)
            fields["pause_url"] = .string(updateURL + "/pause")
            fields["resume_url"] = .string(updateURL + "/resume")
            // Vigil sends every monitor's notices to every configured channel.
            fields["channels"] = .string(channels.map(\.id).sorted().joined(separator: ","))
        }
        switch monitor.schedule {
        case .every(let period):
            fields["timeout"] = .seconds(period)
        case .cron(let expression, let zone):
            fields["schedule"] = .string(expression.source)
            // Foundation names UTC "GMT"; healthchecks.io's default is "UTC".
            fields["tz"] = .string(zone.identifier == "GMT" ? "UTC" : zone.identifier)
        }
        return .object(fields)
    }
}

/// A `notify:` entry shown as a healthchecks.io integration, with an id that stays the same across restarts.
struct HealthchecksChannel: Sendable, Hashable {
    var id: String
    var name: String
    var kind: String

    /// Every configured channel; a named one's id comes from its name, an unnamed one's from its place in the file.
    static func all(_ targets: [NotifyTarget]) -> [HealthchecksChannel] {
        targets.enumerated().map { index, target in
            let seed = target.name.map { "vigil notify name:\($0)" }
                ?? "vigil notify position:\(index):\(target.channel.kind)"
            return HealthchecksChannel(id: uuid(from: seed), name: target.name ?? "", kind: target.channel.kind)
        }
    }

    var json: HealthchecksJSON {
        .object(["id": .string(id), "name": .string(name), "kind": .string(kind)])
    }

    /// A name-based UUID (version 5 layout) over SHA-256 of `seed`.
    private static func uuid(from seed: String) -> String {
        var bytes = Array(SHA256.hash(data: Array(seed.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
        return uuid.uuidString.lowercased()
    }
}
