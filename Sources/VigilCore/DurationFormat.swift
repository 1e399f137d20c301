import Foundation

/// Reads and writes the short durations of configuration files and the API: "90s", "5m", "1h30m", "1d2h3m4s".
public enum DurationFormat {
    private static let units: [(symbol: Character, seconds: Int)] = [
        ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
    ]
    private static let hint = "try 5m, 2h or 1h30m"

    /// Parses "90s", "5m", "2h", "1d", "1h30m", "1d2h3m4s" into seconds. Units s m h d, each at most once, in
    /// descending order; no spaces, no fractions, no sign; must be > 0. Throws ScheduleError with a message that
    /// says what was wrong and what to do, e.g. `"5x" is not a duration (try 5m, 2h or 1h30m)`.
    public static func parse(_ text: String) throws(ScheduleError) -> TimeInterval {
        guard !text.isEmpty else {
            throw ScheduleError("a duration cannot be empty (\(hint))")
        }
        // The specific mistakes people make get their own advice; anything else gets the examples.
        if text.contains(where: \.isWhitespace) {
            throw invalid(text, "remove the spaces (try 1h30m)")
        }
        if text.first == "-" || text.first == "+" {
            throw invalid(text, "write it without a sign (\(hint))")
        }
        let characters = Array(text)
        var index = 0
        var total = 0
        var previousUnit: Int?
        while index < characters.count {
            let start = index
            while index < characters.count, characters[index].isASCII, characters[index].isWholeNumber {
                index += 1
            }
            guard index > start else {
                throw ScheduleError("\"\(text)\" is not a duration (\(hint))")
            }
            let digits = String(characters[start..<index])
            guard index < characters.count else {
                throw invalid(text, "\(digits) needs a unit s, m, h or d (try \(digits)s or \(digits)m)")
            }
            let symbol = characters[index]
            if symbol == "." || symbol == "," {
                throw invalid(text, "use whole numbers of each unit (try 1h30m instead of 1.5h)")
            }
            guard let unit = units.firstIndex(where: { $0.symbol == symbol }) else {
                throw ScheduleError("\"\(text)\" is not a duration (\(hint))")
            }
            if let previousUnit, unit == previousUnit {
                throw invalid(text, "each unit may appear only once (try 1h30m)")
            }
            if let previousUnit, unit < previousUnit {
                throw invalid(text, "write larger units first (try 1h30m, not 30m1h)")
            }
            previousUnit = unit
            guard let count = Int(digits) else { throw invalid(text, "it is too long") }
            let (seconds, multiplyOverflow) = count.multipliedReportingOverflow(by: units[unit].seconds)
            let (sum, addOverflow) = total.addingReportingOverflow(seconds)
            guard !multiplyOverflow, !addOverflow else { throw invalid(text, "it is too long") }
            total = sum
            index += 1
        }
        guard total > 0 else {
            throw invalid(text, "it must be longer than zero (try 30s or 5m)")
        }
        return TimeInterval(total)
    }

    /// Formats seconds as the shortest such string, rounding down to whole seconds: 5400 is "1h30m", 86400 is "1d".
    ///
    /// Anything below one second, negative or not finite is "0s".
    public static func format(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds >= 1 else { return "0s" }
        // Converting a Double at or above 2^63 to Int traps.
        var remaining = seconds < 9e18 ? Int(seconds.rounded(.down)) : Int.max
        var text = ""
        for unit in units where remaining >= unit.seconds {
            text += "\(remaining / unit.seconds)\(unit.symbol)"
            remaining %= unit.seconds
        }
        return text
    }

    private static func invalid(_ text: String, _ advice: String) -> ScheduleError {
        ScheduleError("\"\(text)\" is not a duration: \(advice)")
    }
}
