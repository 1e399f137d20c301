import Foundation
import VigilCore
import VigilEngine

/// How the dashboard writes times, durations and links; `vigil.js` mirrors `relative` for live updates.
enum DashboardFormat {
    /// "just now", "12 s ago", "3 min ago", "5 h ago", "2 days ago", "in 4 min"; beyond 60 days, the date.
    static func relative(_ date: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        let future = seconds < 0
        let magnitude = abs(seconds)
        if magnitude < 5 { return future ? "in a moment" : "just now" }
        let text: String
        switch magnitude {
        case ..<60: text = "\(Int(magnitude)) s"
        case ..<3_600: text = "\(Int(magnitude / 60)) min"
        case ..<172_800: text = "\(Int(magnitude / 3_600)) h"
        case ..<5_184_000: text = "\(Int(magnitude / 86_400)) days"
        default: return day(date)
        }
        return future ? "in \(text)" : "\(text) ago"
    }

    /// "2026-11-29 10:27:13 UTC".
    static func absolute(_ date: Date) -> String {
        date.formatted(
            Date.VerbatimFormatStyle(
                format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) UTC",
                timeZone: TimeZone(identifier: "UTC")!, calendar: Calendar(identifier: .gregorian)))
    }

    /// "2026-11-29".
    static func day(_ date: Date) -> String {
        String(absolute(date).prefix(10))
    }

    /// A `<time>` element with the relative text, the absolute time as its title, and `data-relative` so that
    /// `vigil.js` keeps the text current; `none` when there is no date.
    static func time(_ date: Date?, now: Date, none: String = "never") -> HTML {
        guard let date else { return "<span class=\"muted\">\(none)</span>" }
        return "<time datetime=\"\(VigilJSON.format(date))\" title=\"\(absolute(date))\" data-relative>\(relative(date, now: now))</time>"
    }

    /// "4h", "3m20s", "12s", "0.4s": the two largest units.
    static func duration(_ seconds: TimeInterval?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        if seconds > 0 && seconds < 10 && seconds.rounded() != seconds {
            return String(format: "%.1fs", seconds)
        }
        return Calibrator.spoken(seconds)
    }

    /// "97%", "<1%", ">99%".
    static func percent(_ share: Double?) -> String {
        guard let share, share.isFinite else { return "—" }
        return Calibrator.percent(share)
    }

    /// "99.95%": availability needs more digits than a risk does.
    static func availability(_ share: Double) -> String {
        let value = share * 100
        if value >= 100 { return "100%" }
        return String(format: value >= 99 ? "%.2f%%" : "%.1f%%", min(value, 99.99))
    }

    /// One URL path segment: a slug, tag or id, percent-encoded so that it stays one segment.
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%;")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// One query value, percent-encoded.
    static func query(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// A path parameter as the user wrote it: Hummingbird leaves percent-encoding in path segments.
    static func decoded(_ segment: String) -> String {
        segment.removingPercentEncoding ?? segment
    }

    /// A short incident id, as `vigil incidents` prints it.
    static func shortID(_ id: UUID) -> String {
        String(id.uuidString.lowercased().prefix(8))
    }
}
