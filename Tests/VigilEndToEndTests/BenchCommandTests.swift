import Foundation
import Testing

/// `vigil bench` at smoke sizes through the built binary: every benchmark runs and prints its table. No figure is
/// judged here — the debug build on a loaded machine says nothing about speed.
struct BenchCommandTests {
    @Test func quickRunPrintsEveryTable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let outcome = try await Command.vigil(["bench", "all", "--quick", "--work-dir", folder.path])
        #expect(outcome.status == 0, "stdout:\n\(outcome.stdout)\nstderr:\n\(outcome.stderr)")
        let output = outcome.stdout
        #expect(output.contains("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores"))
        #expect(output.contains("build:"))
        for section in [
            "== ping ingest", "== detection lag", "== stall storm", "== scale", "== vigil run overhead",
        ] {
            #expect(output.contains(section), "no \(section) section in:\n\(output)")
        }
        for figure in [
            "vigil 4 conn, durability normal: rate", "vigil 4 conn, durability full: p99", "lag p99, N = 1 000",
            "CPU while nothing is due, N = 1 000", "all 200 journaled as stalled", "all 200 notices delivered",
            "resident memory, 5 000 monitors", "cold start, 5 000 monitors", "list 500: vigil status --json",
            "list 500: GET /api/v1/monitors", "vigil run x -- true, minus true",
        ] {
            let line = output.split(separator: "\n").first { $0.hasPrefix(figure) }
            let cells = line.map { $0.dropFirst(figure.count).split(separator: " ") } ?? []
            // The median follows the figure's name: a number, never the dash of a figure that was not measured.
            #expect(cells.first.map { Double($0.replacingOccurrences(of: " ", with: "")) != nil } == true,
                    "no measured value for \(figure) in:\n\(output)")
        }
        #expect(output.contains("signals stored = pings acknowledged"))
        // Without nginx the ceiling is skipped and the table says how to get it; with it, it is measured.
        if FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") {
            #expect(output.contains("nginx fixed 200, 4 conn"))
        } else {
            #expect(output.contains("nginx is not installed"))
            print("BenchCommandTests: nginx is not installed; the ingest ceiling was skipped")
        }
        // The working folder is left empty: every benchmark removes its data.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func aBadSizeIsACommandLineMistake() async throws {
        let outcome = try await Command.vigil(["bench", "ingest", "--connections", "0,64"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("--connections \"0,64\" is not a list of positive numbers"))
    }
}
