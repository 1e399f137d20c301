import ArgumentParser
import Foundation
import VigilCore
import VigilEngine

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score stall detection and forecasts on progress histories, offline.",
        discussion: """
            Replays commit-history files (tab-separated: author_time, author_utc_offset, committer_time) through the
            stall model the server uses and through the baselines of EVALUATION.md — fixed deadlines at X/4, X/2,
            3X/4 and X, and the 95% quantile of past gaps — at X = 7 and 30 days. A stall is a gap of at least X;
            the first 50 gaps of each stream are warm-up; an open final gap shorter than X is censored.
            """
    )

    @Argument(help: ArgumentHelp("Commit-history files.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print a JSON array, one object per method and horizon.")
    var json = false

    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "When observation ended, as Unix seconds or an ISO 8601 date (default: the newest event in the files).",
            valueName: "time"
        )
    )
    var asOf: String?

    @Option(help: ArgumentHelp("Which commit time is the progress event: author or committer.", valueName: "clock"))
    var clock: String = "author"

    @Option(help: ArgumentHelp("Stall horizons in days, comma-separated.", valueName: "days"))
    var horizons: String = "7,30"

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one history file") }
        guard ProgressStream.Clock(rawValue: clock) != nil else {
            throw ValidationError("--clock \"\(clock)\" is not known — use author or committer")
        }
        guard parsedHorizons != nil else {
            throw ValidationError("--horizons \"\(horizons)\" is not a list of days — e.g. 7,30")
        }
        if let asOf, parsedAsOf == nil {
            throw ValidationError("--as-of \"\(asOf)\" is not Unix seconds or an ISO 8601 date — e.g. 2026-05-22")
        }
    }

    private var parsedHorizons: [TimeInterval]? {
        let parts = horizons.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return parts.map { $0! * 86_400 }
    }

    private var parsedAsOf: Date? {
        guard let asOf else { return nil }
        if let seconds = Double(asOf) { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date.ISO8601FormatStyle().parse(asOf) { return date }
        return try? Date.ISO8601FormatStyle().year().month().day().parse(asOf)
    }

    func run() throws {
        var streams: [ProgressStream] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw failure("\(file): cannot be read — check the path", status: ExitStatus.commandLine)
            }
            let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            do {
                streams.append(try ProgressStream.parse(
                    String(decoding: data, as: UTF8.self), name: name, clock: ProgressStream.Clock(rawValue: clock)!))
            } catch {
                throw failure("\(file): \(error.description)", status: ExitStatus.commandLine)
            }
        }
        guard let newest = streams.compactMap(\.times.last).max() else {
            throw failure("the files hold no events", status: ExitStatus.commandLine)
        }
        let end = parsedAsOf ?? newest
        let evaluation = Evaluation.run(streams: streams, end: end, horizons: parsedHorizons ?? [])
        if json {
            print(String(decoding: try VigilJSON.prettyEncoder.encode(evaluation.rows), as: UTF8.self))
        } else {
            print(EvaluationTable.render(evaluation, streams: streams, clock: clock))
        }
    }
}

/// The tables `vigil evaluate` prints.
enum EvaluationTable {
    static func render(_ evaluation: Evaluation, streams: [ProgressStream], clock: String) -> String {
        let model = StallModel.standard
        var out: [String] = []
        out.append("Streams: \(streams.count) (\(streams.map { "\($0.name) \($0.times.count)" }.joined(separator: ", ")) events)")
        out.append("Observation ends \(VigilJSON.format(evaluation.end)); clock: \(clock) time. Warm-up: the first "
            + "\(Backtest.defaultWarmUp) gaps of each stream. Censored: an open final gap shorter than X.")
        out.append("vigil: stall model threshold \(model.threshold), half-life \(Int(model.halfLife)) gaps, prior "
            + "weight \(Int(model.priorWeight)), rhythm weight \(Int(model.rhythmWeight)), floor X/"
            + "\(Int((1 / model.floorFraction).rounded())), rhythm EWMA \(GapHistory.defaultSmoothing); "
            + "quantile: 95th percentile of past gaps; ewma: EWMA (0.2) of past gaps, ranked only.")
        for horizon in evaluation.horizons {
            let days = horizon / 86_400
            out.append("")
            out.append("X = \(Backtest.days(horizon)) d")
            let header = ["METHOD", "FA/MONTH", "FA RANGE", "MEDIAN D", "P25 D", "BEFORE X", "STALLS", "AUC MED",
                          "BRIER"]
            let rows = evaluation.rows.filter { $0.horizonDays == days }.map { row -> [String] in
                [
                    row.method,
                    number(row.falseAlarmsPerMonth, 3),
                    row.falseAlarmsPerMonthMin.map { "\(number($0, 2))–\(number(row.falseAlarmsPerMonthMax, 2))" } ?? "—",
                    number(row.medianDaysToAlarm, 1),
                    number(row.p25DaysToAlarm, 1),
                    row.shareAlarmedBeforeHorizon.map { "\(Int(($0 * 100).rounded()))%" } ?? "—",
                    row.stalls.map(String.init) ?? "—",
                    number(row.aucWithinMedian, 3),
                    number(row.brier, 4),
                ]
            }
            out.append(contentsOf: grid([header] + rows))
            out.append("")
            out.append("Per stream (vigil), X = \(Backtest.days(horizon)) d")
            let perStream = evaluation.streamRows.filter { $0.horizonDays == days && $0.method == "vigil" }.map {
                [$0.stream, String(format: "%.1f", $0.months), "\($0.scoredGaps)", "\($0.stalls)",
                 number($0.falseAlarmsPerMonth, 3), number($0.auc, 3), number($0.brier, 4)]
            }
            out.append(contentsOf: grid([["STREAM", "MONTHS", "GAPS", "STALLS", "FA/MONTH", "AUC", "BRIER"]] + perStream))
        }
        return out.joined(separator: "\n")
    }

    static func number(_ value: Double?, _ digits: Int) -> String {
        guard let value else { return "—" }
        guard value.isFinite else { return "never" }
        return String(format: "%.\(digits)f", value)
    }

    /// Columns padded to their widest cell: right-aligned unless listed in `leftAligned` (default the first).
    static func grid(_ rows: [[String]], leftAligned: Set<Int> = [0]) -> [String] {
        guard let width = rows.first?.count else { return [] }
        let widths = (0..<width).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                leftAligned.contains(column) ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}
