import Foundation
import Synchronization

extension NoticePayload {
    /// The payload exactly as `VigilJSON.encoder` writes it (sorted keys, unescaped slashes, absent optionals left
    /// out), built by hand: the engine renders one per stalled monitor while it holds its registry, and a storm of
    /// ten thousand stalls spent most of that time in `JSONEncoder`.
    var json: Data {
        var writer = JSONObjectWriter()
        writer.field("at", Self.stamp(at))
        writer.field("event", event)
        if let incidentID { writer.field("incident_id", incidentID) }
        writer.field("monitor", monitor)
        writer.field("monitor_id", monitorID)
        writer.field("new_state", newState)
        writer.field("noticed_at", Self.stamp(noticedAt))
        writer.field("old_state", oldState)
        if let onset { writer.field("onset", Self.stamp(onset)) }
        writer.field("ping_url", pingURL)
        writer.field("reason", reason)
        writer.field("tags", tags)
        return writer.finish()
    }

    /// The last few timestamps formatted: the monitors of a storm share their deadline and the moment it was noticed.
    private static let stamps = Mutex<[(date: Date, text: String)]>([])

    private static func stamp(_ date: Date) -> String {
        if let text = stamps.withLock({ $0.first { $0.date == date }?.text }) { return text }
        let text = VigilJSON.format(date)
        stamps.withLock { stamps in
            if stamps.count == 8 { stamps.removeFirst() }
            stamps.append((date, text))
        }
        return text
    }
}

/// A JSON object written field by field, in the caller's key order, escaped as Foundation's `JSONEncoder` does with
/// `.withoutEscapingSlashes`.
struct JSONObjectWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    init() {
        bytes.reserveCapacity(512)
    }

    mutating func field(_ key: String, _ value: String) {
        self.key(key)
        string(value)
    }

    mutating func field(_ key: String, _ values: [String]) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func finish() -> Data {
        bytes.append(UInt8(ascii: "}"))
        return Data(bytes)
    }

    private mutating func key(_ key: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = text.utf8
        // Most values (slugs, states, ids, URLs) need no escaping at all.
        guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in utf8 {
            if let escaped = VigilJSON.escape(byte) { bytes += escaped } else { bytes.append(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

}
