import Foundation

/// The dashboard's SVG drawings: sparklines, the hour-of-week heatmap and trend lines, styled by `vigil.css`.
///
/// Each carries `role="img"` and a label that says in words what it shows, so that it reads without eyes too.
enum Chart {
    /// One bar per value, e.g. progress per day; an empty bucket shows as a short grey tick.
    static func sparkline(_ values: [Int], label: String, width: Int = 112, height: Int = 24) -> HTML {
        guard !values.isEmpty else { return "<span class=\"muted\">—</span>" }
        let peak = max(1, values.max() ?? 1)
        let slot = Double(width) / Double(values.count)
        let barWidth = max(1, slot - 1.5)
        var bars: [HTML] = []
        for (index, value) in values.enumerated() {
            let x = format(Double(index) * slot)
            if value == 0 {
                bars.append("<rect class=\"spark-empty\" x=\"\(x)\" y=\"\(height - 2)\" width=\"\(format(barWidth))\" height=\"2\"/>")
            } else {
                let barHeight = max(3, Double(height) * Double(value) / Double(peak))
                bars.append(
                    "<rect class=\"spark-bar\" x=\"\(x)\" y=\"\(format(Double(height) - barHeight))\" width=\"\(format(barWidth))\" height=\"\(format(barHeight))\"><title>\(value)</title></rect>")
            }
        }
        let spoken = "\(label): " + values.map(String.init).joined(separator: ", ")
        return """
            <svg class="spark" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" \
            aria-label="\(spoken)"><title>\(spoken)</title>\(bars)</svg>
            """
    }

    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// Seven rows of 24 hours; darker cells had more stall onsets.
    static func heatmap(_ counts: [[Int]], noun: String = "stall onsets") -> HTML {
        let cell = 18
        let left = 36
        let top = 18
        let width = left + 24 * cell
        let height = top + 7 * cell
        let peak = max(1, counts.joined().max() ?? 1)
        var parts: [HTML] = []
        for hour in stride(from: 0, to: 24, by: 3) {
            parts.append("<text class=\"axis\" x=\"\(left + hour * cell + cell / 2)\" y=\"12\" text-anchor=\"middle\">\(String(format: "%02d", hour))</text>")
        }
        for (day, row) in counts.prefix(7).enumerated() {
            let y = top + day * cell
            parts.append("<text class=\"axis\" x=\"0\" y=\"\(y + 13)\">\(weekdays[day])</text>")
            for (hour, count) in row.prefix(24).enumerated() {
                // Five shades: none, then quarters of the busiest cell, which is always the darkest.
                let level = count == 0 ? 0 : max(1, min(4, Int((Double(count) * 4 / Double(peak)).rounded(.up))))
                let what = "\(weekdays[day]) \(String(format: "%02d", hour)):00 — \(count) \(noun)"
                parts.append(
                    "<rect class=\"heat heat-\(level)\" x=\"\(left + hour * cell)\" y=\"\(y)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" rx=\"2\"><title>\(what)</title></rect>")
            }
        }
        let total = counts.joined().reduce(0, +)
        let busiest = counts.enumerated().flatMap { day, row in row.enumerated().map { (day, $0, $1) } }
            .max { $0.2 < $1.2 }
        var spoken = "Hour-of-week heatmap of \(total) \(noun)"
        if let busiest, busiest.2 > 0 {
            spoken += "; the most, \(busiest.2), on \(weekdays[busiest.0]) at \(String(format: "%02d", busiest.1)):00"
        }
        return """
            <svg class="heatmap" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(spoken)">\
            <title>\(spoken)</title>\(parts)</svg>
            """
    }

    /// A line through `points` (nil values leave a gap), with the y axis in durations and x labels under it.
    static func trend(_ points: [(label: String, value: Double?)], label: String) -> HTML {
        let width = 600.0
        let height = 200.0
        let left = 52.0
        let bottom = 24.0
        let top = 10.0
        guard points.count > 0 else { return "<p class=\"muted\">No data in this range.</p>" }
        let values = points.compactMap(\.value)
        let peak = max(1, values.max() ?? 1)
        let step = points.count > 1 ? (width - left - 10) / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { left + Double(index) * step + (points.count == 1 ? (width - left) / 2 : 0) }
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (1 - value / peak) }
        var parts: [HTML] = []
        for fraction in [0.0, 0.5, 1.0] {
            let value = peak * fraction
            parts.append("<line class=\"grid\" x1=\"\(format(left))\" x2=\"\(format(width))\" y1=\"\(format(y(value)))\" y2=\"\(format(y(value)))\"/>")
            parts.append("<text class=\"axis\" x=\"\(format(left - 6))\" y=\"\(format(y(value) + 4))\" text-anchor=\"end\">\(DashboardFormat.duration(value))</text>")
        }
        var path = ""
        var pen = false
        for (index, point) in points.enumerated() {
            guard let value = point.value else {
                pen = false
                continue
            }
            path += "\(pen ? "L" : "M")\(format(x(index))),\(format(y(value))) "
            pen = true
            parts.append("<circle class=\"trend-dot\" cx=\"\(format(x(index)))\" cy=\"\(format(y(value)))\" r=\"3.5\"><title>\(point.label): \(DashboardFormat.duration(value))</title></circle>")
        }
        let labelEvery = max(1, points.count / 6)
        for (index, point) in points.enumerated() where index % labelEvery == 0 {
            parts.append("<text class=\"axis\" x=\"\(format(x(index)))\" y=\"\(format(height - 6))\" text-anchor=\"middle\">\(point.label)</text>")
        }
        let spoken = "\(label): " + points.map { "\($0.label) \(DashboardFormat.duration($0.value))" }.joined(separator: ", ")
        return """
            <svg class="trend" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(spoken)">\
            <title>\(spoken)</title><path class="trend-line" d="\(path)"/>\(parts)</svg>
            """
    }

    /// A coordinate with at most two decimals.
    private static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
