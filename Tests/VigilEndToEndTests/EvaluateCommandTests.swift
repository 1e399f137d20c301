import Foundation
import Testing

/// `vigil evaluate` through the built binary, as a user runs it on history files.
struct EvaluateCommandTests {
    /// A synthetic history: hourly commits with a 40-day silence after every 25th, in the shared file format.
    static func writeHistory(to url: URL) throws {
        var lines = ["author_time\tauthor_utc_offset\tcommitter_time"]
        var time = 1_600_000_000
        for index in 1...400 {
            time += index % 25 == 0 ? 40 * 86_400 : 3_600 + (index * 37) % 1_800
            lines.append("\(time)\t+0100\t\(time)")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func jsonHasOneObjectPerMethodAndHorizon() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-evaluate-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("someone+project.tsv")
        try Self.writeHistory(to: file)

        let outcome = try await Command.vigil(["evaluate", "--json", file.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]])
        let keys = rows.map { "\($0["method"] ?? "?")@\($0["horizon_days"] ?? "?")" }
        for expected in ["vigil@7", "fixed-1.75d@7", "fixed-3.5d@7", "fixed-5.25d@7", "fixed-7d@7", "quantile@7",
                         "vigil@30", "fixed-7.5d@30", "fixed-15d@30", "fixed-22.5d@30", "fixed-30d@30", "quantile@30"] {
            #expect(keys.contains(expected), "missing \(expected) in \(keys)")
        }
        for row in rows {
            for field in ["method", "horizon_days", "false_alarms_per_month", "median_days_to_alarm",
                          "p25_days_to_alarm", "share_alarmed_before_horizon", "auc_within_median", "brier"] {
                #expect(row.keys.contains(field), "\(row["method"] ?? "?") has no \(field)")
            }
        }
        let vigil30 = try #require(rows.first { $0["method"] as? String == "vigil" && $0["horizon_days"] as? Double == 30 })
        // 16 silences of 40 days; the first falls in the warm-up.
        #expect(vigil30["median_days_to_alarm"] as? Double ?? 99 < 30)
        #expect(vigil30["share_alarmed_before_horizon"] as? Double == 1)
        #expect((vigil30["brier"] as? Double).map { $0 >= 0 && $0 < 0.25 } == true)
        let fixed30 = try #require(rows.first { $0["method"] as? String == "fixed-30d" && $0["horizon_days"] as? Double == 30 })
        #expect(fixed30["false_alarms_per_month"] as? Double == 0)
        #expect(fixed30["median_days_to_alarm"] as? Double == 30)

        let table = try await Command.vigil(["evaluate", file.path])
        #expect(table.status == 0)
        #expect(table.stdout.contains("X = 30 d"))
        #expect(table.stdout.contains("fixed-22.5d"))
        #expect(table.stdout.contains("someone+project"))
    }

    @Test func aMissingOrMalformedFileIsACommandLineMistake() async throws {
        let missing = try await Command.vigil(["evaluate", "/nonexistent/history.tsv"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("cannot be read"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-evaluate-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.tsv")
        try "when\n1\n".write(to: bad, atomically: true, encoding: .utf8)
        let malformed = try await Command.vigil(["evaluate", bad.path])
        #expect(malformed.status == 64)
        #expect(malformed.stderr.contains("line 1: the header has no author_time column"))
    }
}
