import Foundation
import VigilCore

/// A status badge: a label and the worst status of the monitors it covers, drawn as a flat SVG or told as JSON.
struct Badge: Sendable, Hashable {
    /// What a badge says; healthchecks.io's words where it has them.
    enum Status: String, Sendable, Hashable {
        case up, late, down, new, paused
        /// No monitors at all.
        case none

        /// Worst first: any stalled, failing or recovering monitor makes it `down`, then `late`, then `up`;
        /// monitors that are new or paused do not count unless nothing else is there.
        init(_ statuses: [MonitorStatus]) {
            if statuses.isEmpty {
                self = .none
            } else if statuses.contains(where: \.isIncident) {
                // Recovering means an incident is open and progress has not resumed: still down.
                self = .down
            } else if statuses.contains(.late) {
                self = .late
            } else if statuses.contains(.up) {
                self = .up
            } else if statuses.allSatisfy({ $0 == .paused }) {
                self = .paused
            } else {
                self = .new
            }
        }

        /// The right-hand colour; each passes 4.5:1 against white text.
        var color: String {
            switch self {
            case .up: "#2e7d32"
            case .late: "#a15c00"
            case .down: "#c62828"
            case .new, .paused, .none: "#5f6368"
            }
        }
    }

    var label: String
    var status: Status
    var total: Int
    var late: Int
    var down: Int

    init(label: String, statuses: [MonitorStatus]) {
        self.label = label
        status = Status(statuses)
        total = statuses.count
        late = statuses.count { $0 == .late }
        down = statuses.count(where: \.isIncident)
    }

    /// A flat badge, sized to its text, readable by screen readers through its title.
    var svg: String {
        let labelWidth = Self.textWidth(label) + 12
        let messageWidth = Self.textWidth(status.rawValue) + 12
        let width = labelWidth + messageWidth
        let text = HTML.escape("\(label): \(status.rawValue)")
        let labelText = HTML.escape(label)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="20" role="img" aria-label="\(text)">\
            <title>\(text)</title>\
            <linearGradient id="g" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>\
            <stop offset="1" stop-opacity=".1"/></linearGradient>\
            <clipPath id="c"><rect width="\(width)" height="20" rx="3" fill="#fff"/></clipPath>\
            <g clip-path="url(#c)"><rect width="\(labelWidth)" height="20" fill="#444"/>\
            <rect x="\(labelWidth)" width="\(messageWidth)" height="20" fill="\(status.color)"/>\
            <rect width="\(width)" height="20" fill="url(#g)"/></g>\
            <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">\
            <text x="\(Double(labelWidth) / 2)" y="14">\(labelText)</text>\
            <text x="\(Double(labelWidth) + Double(messageWidth) / 2)" y="14">\(status.rawValue)</text></g></svg>
            """
    }

    /// healthchecks.io's badge fields (`status`, `total`, `late`, `down`) plus shields.io's endpoint fields
    /// (`schemaVersion`, `label`, `message`, `color`), so that either reader can use it.
    var json: String {
        let object: [String: any Sendable] = [
            "status": status.rawValue, "total": total, "late": late, "down": down,
            "schemaVersion": 1, "label": label, "message": status.rawValue, "color": status.color,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The width of `text` in 11 px Verdana, near enough for a badge: narrow, wide and other characters.
    static func textWidth(_ text: String) -> Int {
        var width = 0.0
        for character in text {
            switch character {
            case "i", "l", "j", "I", "!", ".", ",", ":", ";", "'", "|": width += 3.6
            case "f", "t", "r", " ", "-", "(", ")", "[", "]": width += 4.8
            case "m", "w", "M", "W", "%", "@": width += 10.5
            case _ where character.isUppercase: width += 8
            case _ where character.isASCII: width += 7
            default: width += 11
            }
        }
        return Int(width.rounded(.up))
    }
}
