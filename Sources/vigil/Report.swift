import ArgumentParser
import Foundation
import VigilCore
import VigilEngine

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Show what the journal says: MTTD, MTTR, MTBF and availability, patterns, progress and stall risk."
    )

    @Option(help: ArgumentHelp("How far back to look, e.g. 7d, 30d, 12h.", valueName: "duration"))
    var since: String = "30d"

    @Option(help: ArgumentHelp("Report on one monitor only, by slug or ping key.", valueName: "slug"))
    var monitor: String?

    @Flag(help: "Print the report as JSON instead of tables.")
    var json = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        do {
            _ = try DurationFormat.parse(since)
        } catch {
            throw ValidationError("--since \(error.message)")
        }
    }

    func run() async throws {
        var path = "/api/v1/report?since=\(since)"
        if let monitor {
            path += "&monitor=\(monitor.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? monitor)"
        }
        let report: EngineReport = try await client.fetch(path, what: "a report")
        if json {
            print(String(decoding: try VigilJSON.prettyEncoder.encode(report), as: UTF8.self))
        } else {
            print(ReportText.render(report, colour: Terminal.wantsColour))
        }
    }
}

struct Calibrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Backtest a monitor's configured deadline against the one learned from its own progress gaps."
    )

    @Argument(help: ArgumentHelp("The monitor's slug or ping key.", valueName: "slug"))
    var slug: String

    @Flag(help: "Print the backtest as JSON.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let encoded = slug.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? slug
        let report: CalibrationReport = try await client.fetch(
            "/api/v1/monitors/\(encoded)/calibration", what: "a calibration")
        if json {
            print(String(decoding: try VigilJSON.prettyEncoder.encode(report), as: UTF8.self))
        } else {
            print(ReportText.render(report))
        }
    }
}

extension ClientOptions {
    /// GETs `path` and decodes the answer, mapping failures to the documented exit codes.
    func fetch<T: Decodable>(_ path: String, what: String) async throws -> T {
        let body = try await fetch(path)
        do {
            return try VigilJSON.decoder.decode(T.self, from: Data(body.utf8))
        } catch {
            throw failure("the server's answer is not \(what) — is \(serverURL) a Vigil server of this version?",
                          status: ExitStatus.refused)
        }
    }
}

/// The text of `vigil report` and `vigil calibrate`.
enum ReportText {
    static func render(_ report: EngineReport, colour: Bool) -> String {
        let journal = report.journal
        var out: [String] = []
        let format = Date.ISO8601FormatStyle().year().month().day().time(includingFractionalSeconds: false)
        out.append("Report from \(journal.range.start.formatted(format)) to \(journal.range.end.formatted(format))")
        let all = journal.overall
        out.append("\(all.incidents) incident\(all.incidents == 1 ? "" : "s") (\(all.recoveredAutomatically) recovered "
            + "automatically, \(all.recoveredByHuman) by a person, \(all.open) open); availability "
            + percent(all.availability, digits: 2) + "; MTBF \(duration(all.meanTimeBetweenFailures))")
        out.append("")
        out.append("By monitor")
        let monitorRows = journal.byMonitor.map { group -> [String] in
            let metrics = group.metrics
            return [
                group.key, "\(metrics.incidents)", "\(metrics.open)", "\(metrics.recoveredAutomatically)",
                "\(metrics.recoveredByHuman)", duration(metrics.timeToDetect?.p50),
                stats(metrics.timeToRecover), duration(metrics.meanTimeBetweenFailures),
                percent(metrics.availability, digits: 2), sparkline(journal.sparklines[group.key] ?? []),
            ]
        }
        out.append(contentsOf: grid([["MONITOR", "INC", "OPEN", "AUTO", "HUMAN", "MTTD P50", "MTTR P50/P90/P99 MEAN",
                                      "MTBF", "AVAIL", "PROGRESS PER DAY"]] + monitorRows))
        for (title, groups) in [("By tag", journal.byTag), ("By cause", journal.byCause),
                                ("By blocker", journal.byBlocker), ("By action", journal.byAction)]
        where !groups.isEmpty {
            out.append("")
            out.append(title)
            let rows = groups.map { group -> [String] in
                [group.key, "\(group.metrics.incidents)", duration(group.metrics.timeToDetect?.p50),
                 stats(group.metrics.timeToRecover), group.shareOfRecoveries.map { percent($0, digits: 0) } ?? "—"]
            }
            out.append(contentsOf: grid([["KEY", "INC", "MTTD P50", "MTTR P50/P90/P99 MEAN", "SHARE OF RECOVERIES"]]
                + rows))
        }
        out.append("")
        out.append("Stall onsets by hour of week (monitor's time zone)")
        out.append(contentsOf: heatmap(journal.heatmap))
        if !journal.topBlockers.isEmpty {
            out.append("")
            out.append("Top blockers: " + journal.topBlockers.prefix(5).map { "\($0.blocker) (\($0.incidents))" }
                .joined(separator: ", "))
        }
        if !journal.stalledRanking.isEmpty {
            out.append("")
            out.append("Most time stalled")
            out.append(contentsOf: grid([["MONITOR", "STALLED", "INCIDENTS"]] + journal.stalledRanking.prefix(10).map {
                [$0.monitor, duration($0.stalled), "\($0.incidents)"]
            }))
        }
        out.append("")
        out.append("What shipped, by week")
        if journal.digestByWeek.isEmpty {
            out.append("  no progress in this range")
        } else {
            out.append(contentsOf: grid([["WEEK OF", "KIND", "COUNT"]] + journal.digestByWeek.map {
                [$0.period, $0.kind, "\($0.count)"]
            }))
        }
        out.append("")
        out.append("Stall risk now")
        out.append(contentsOf: grid([["MONITOR", "RISK", "SILENT", "HORIZON", "CALIBRATED", "WHY"]]
            + report.forecasts.map { forecast in
                let risk = percent(forecast.risk.probability, digits: 0)
                return [
                    forecast.monitor, colour ? paint(risk, forecast.risk.probability) : risk,
                    duration(forecast.risk.silence), duration(forecast.risk.horizon),
                    forecast.calibrated.map { duration($0.silence) } ?? "off",
                    (forecast.risk.reasons.dropFirst().first ?? forecast.calibrated?.explanation ?? "steady"),
                ]
            }))
        return out.joined(separator: "\n")
    }

    static func render(_ report: CalibrationReport) -> String {
        var out: [String] = []
        out.append("\(report.monitor) — calibrate: \(report.mode.rawValue)")
        out.append("A stall is a gap of \(duration(report.horizon)) or more (the configured period plus grace). History: "
            + "\(report.gaps) gaps; the first \(report.warmUp) are warm-up; \(String(format: "%.1f", report.months)) "
            + "months scored.")
        out.append("Calibrated deadline \(duration(report.deadline.silence)): \(report.deadline.explanation).")
        out.append("")
        out.append(contentsOf: grid([["RULE", "DEADLINE", "FALSE ALARMS", "PER MONTH", "STALLS", "MEDIAN DETECT",
                                      "P25 DETECT"]] + report.backtest.map {
            [$0.rule, duration($0.deadline), "\($0.falseAlarms)", String(format: "%.2f", $0.falseAlarmsPerMonth),
             "\($0.stalls)", duration($0.medianTimeToDetect), duration($0.p25TimeToDetect)]
        }))
        out.append("")
        out.append("Risk now: " + report.risk.reasons.joined(separator: "; "))
        return out.joined(separator: "\n")
    }

    // MARK: - Drawing

    static let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One character per value, scaled to the largest; a blank for zero.
    static func sparkline(_ values: [Int]) -> String {
        guard let top = values.max(), top > 0 else { return String(repeating: " ", count: values.count) }
        return String(values.map { value in
            value == 0 ? " " : bars[min(bars.count - 1, (value * bars.count - 1) / top)]
        })
    }

    static func heatmap(_ map: HourOfWeekHeatmap) -> [String] {
        let shades: [Character] = ["·", "░", "▒", "▓", "█"]
        let top = map.counts.flatMap { $0 }.max() ?? 0
        var lines = ["     " + (0..<24).map { $0 % 6 == 0 ? String(format: "%-2d", $0) : "  " }.joined()]
        for (day, name) in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].enumerated() {
            let cells = map.counts[day].map { count -> String in
                let shade = top == 0 || count == 0 ? shades[0] : shades[min(4, 1 + (count * 4 - 1) / top)]
                return String(repeating: shade, count: 2)
            }
            lines.append("\(name)  " + cells.joined())
        }
        if top == 0 { lines.append("     no stall onsets in this range") }
        return lines
    }

    static func stats(_ stats: DurationStats?) -> String {
        guard let stats else { return "—" }
        return "\(duration(stats.p50))/\(duration(stats.p90))/\(duration(stats.p99)) \(duration(stats.mean))"
    }

    static func duration(_ seconds: TimeInterval?) -> String {
        guard let seconds else { return "—" }
        return Calibrator.spoken(seconds)
    }

    static func percent(_ share: Double, digits: Int) -> String {
        String(format: "%.\(digits)f%%", share * 100)
    }

    static func paint(_ text: String, _ risk: Double) -> String {
        let code = risk >= 0.5 ? "31" : risk >= 0.2 ? "33" : "32"
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// Numbers right-aligned, the first and the last column (names, sparklines, reasons) left-aligned.
    static func grid(_ rows: [[String]]) -> [String] {
        EvaluationTable.grid(rows, leftAligned: [0, (rows.first?.count ?? 1) - 1]).map { "  " + $0 }
    }
}
