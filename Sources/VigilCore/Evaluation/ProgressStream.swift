import Foundation

/// A named stream of progress times, as `vigil evaluate` reads it from a commit-history file.
public struct ProgressStream: Sendable, Hashable {
    /// Which timestamp of a commit counts as the progress event.
    public enum Clock: String, Sendable, Hashable, CaseIterable {
        /// When the work was authored (default): imports and rebases do not move it.
        case author
        /// When it was committed: imports show as bursts.
        case committer
    }

    public var name: String
    /// Progress times, oldest first.
    public var times: [Date]
    /// The author's UTC offset in seconds at each time, when the file gives it.
    public var utcOffsets: [Int]

    public init(name: String, times: [Date], utcOffsets: [Int] = []) {
        self.name = name
        self.times = times
        self.utcOffsets = utcOffsets
    }

    /// A mistake in a history file, with its line.
    public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses the tab-separated format of `commit-histories/`: a header `author_time author_utc_offset
    /// committer_time`, then one commit a line. Sorted by the chosen clock.
    public static func parse(_ text: String, name: String, clock: Clock = .author) throws(FormatError) -> ProgressStream {
        var rows: [(time: Date, offset: Int)] = []
        var columns: (time: Int, offset: Int?)?
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let found = columns else {
                let wanted = clock == .author ? "author_time" : "committer_time"
                guard let time = fields.firstIndex(of: wanted) else {
                    throw FormatError(
                        line: lineNumber,
                        message: "the header has no \(wanted) column — expected author_time, author_utc_offset, "
                            + "committer_time separated by tabs"
                    )
                }
                columns = (time, fields.firstIndex(of: "author_utc_offset"))
                continue
            }
            guard found.time < fields.count, let seconds = Double(fields[found.time]), seconds.isFinite else {
                throw FormatError(line: lineNumber, message: "\"\(line)\" has no Unix time in the time column")
            }
            var offset = 0
            if let column = found.offset, column < fields.count {
                offset = parseOffset(fields[column]) ?? 0
            }
            rows.append((Date(timeIntervalSince1970: seconds), offset))
        }
        guard columns != nil else { throw FormatError(line: 1, message: "the file is empty") }
        rows.sort { $0.time < $1.time }
        return ProgressStream(name: name, times: rows.map(\.time), utcOffsets: rows.map(\.offset))
    }

    /// `+0130` is 5400 seconds, `-0800` is -28800.
    static func parseOffset(_ text: String) -> Int? {
        guard text.count == 5, let sign = text.first, sign == "+" || sign == "-",
            let hours = Int(text.dropFirst().prefix(2)), let minutes = Int(text.suffix(2))
        else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3_600 + minutes * 60)
    }
}
