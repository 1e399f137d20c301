import Foundation

/// Counts of events by hour of the week, Monday 00:00 first, in local time.
public struct HourOfWeekHeatmap: Sendable, Hashable, Codable {
    /// Seven rows (Monday to Sunday) of 24 counts.
    public var counts: [[Int]]

    public init() {
        counts = Array(repeating: Array(repeating: 0, count: 24), count: 7)
    }

    /// The cell of a moment in a time zone: day 0 is Monday.
    public static func cell(of date: Date, in timeZone: TimeZone) -> (day: Int, hour: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour], from: date)
        // Calendar's weekday is 1 for Sunday; ISO weeks start on Monday.
        return (((parts.weekday ?? 1) + 5) % 7, parts.hour ?? 0)
    }

    public mutating func add(_ date: Date, in timeZone: TimeZone) {
        let (day, hour) = Self.cell(of: date, in: timeZone)
        counts[day][hour] += 1
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// The share of events in the `length` hours starting at `date` (wrapping at the week's end).
    public func share(from date: Date, hours length: Int, in timeZone: TimeZone) -> Double {
        guard total > 0 else { return 0 }
        let (day, hour) = Self.cell(of: date, in: timeZone)
        let start = day * 24 + hour
        let sum = (0..<min(168, max(0, length))).reduce(0) { sum, offset in
            let slot = (start + offset) % 168
            return sum + counts[slot / 24][slot % 24]
        }
        return Double(sum) / Double(total)
    }
}
