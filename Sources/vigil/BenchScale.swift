import Foundation
import VigilCore
import VigilServer
import VigilStore

/// Scale: resident memory and cold start of `vigil serve` with many monitors in SQLite, and the time to list
/// monitors through `vigil status --json` and through the API.
struct ScaleBenchmark {
    var monitors = 1_000_000
    var listed = 10_000
    var runs = 3
    var workDir: String?
    var keep = false

    func run() async throws {
        let n = BenchFormat.number(Double(monitors))
        var start: [Double] = [], memory: [Double] = []
        var notes: [String] = []
        do {
            let folder: BenchFolder
            if let seeded = seededFolder(count: monitors) {
                folder = seeded
                notes.append("reused the \(n) monitors seeded in \(seeded.url.path) by an earlier run with --keep")
            } else {
                folder = try BenchFolder("scale", under: workDir, keep: keep)
                do {
                    try await seed(folder, count: monitors)
                } catch {
                    folder.remove()
                    throw error
                }
                // Marked only when kept, so that a later run with the same --work-dir and --keep seeds nothing.
                if keep { FileManager.default.createFile(atPath: marker(in: folder, count: monitors), contents: nil) }
            }
            defer { folder.remove() }
            for _ in 0..<runs {
                let server = try BenchServer(folder: folder, configuration: "")
                start.append(server.startSeconds)
                // Let start-up garbage settle before reading resident memory.
                try await Task.sleep(for: .seconds(2))
                memory.append(server.child.residentBytes() / 1_048_576)
                server.stop()
            }
        }
        var cli: [Double] = [], api: [Double] = []
        let m = BenchFormat.number(Double(listed))
        do {
            let folder = try BenchFolder("list", under: workDir, keep: keep)
            defer { folder.remove() }
            try await seed(folder, count: listed)
            let server = try BenchServer(folder: folder, configuration: "")
            defer { server.stop() }
            // One untimed round each, so that both paths are warm.
            _ = try listThroughCLI(server, folder: folder)
            _ = try listThroughAPI(server, folder: folder)
            for _ in 0..<max(runs, 5) {
                cli.append(try listThroughCLI(server, folder: folder))
                api.append(try listThroughAPI(server, folder: folder))
            }
        }
        BenchReport.printSection(
            "scale (vigil serve, child process)",
            [
                BenchFigure(name: "resident memory, \(n) monitors", unit: "MB", values: memory, targetText: "≤ 500",
                            target: .atMost(500)),
                BenchFigure(name: "cold start, \(n) monitors", unit: "s", values: start, targetText: "≤ 5",
                            target: .atMost(5)),
                BenchFigure(name: "list \(m): vigil status --json", unit: "ms", values: cli, targetText: "≤ 100",
                            target: .atMost(100)),
                BenchFigure(name: "list \(m): GET /api/v1/monitors", unit: "ms", values: api, targetText: "≤ 100",
                            target: .atMost(100)),
            ],
            notes: notes + [
                "cold start: from starting the process to GET /health answering 200, monitors and states in SQLite",
                "vigil status --json: the whole command, process start to exit; the API: one request, whole body",
                "memory: the engine keeps one dense slot per monitor (ids, slug, state) and each distinct definition "
                    + "once; a Monitor (\(MemoryLayout<Monitor>.stride) B) and MonitorState "
                    + "(\(MemoryLayout<MonitorState>.stride) B) are assembled only when asked for",
            ]
        )
    }

    /// A folder that an earlier run with `--keep` seeded with `count` monitors under the same `--work-dir`: seeding
    /// a million takes minutes, and the monitors' deadlines are a day away, so the start it measures is the same.
    private func seededFolder(count: Int) -> BenchFolder? {
        guard keep, let workDir, let names = try? FileManager.default.contentsOfDirectory(atPath: workDir) else {
            return nil
        }
        for name in names.sorted() where name.hasPrefix("vigil-bench-scale-") {
            let folder = BenchFolder(reusing: URL(fileURLWithPath: workDir).appendingPathComponent(name))
            if FileManager.default.fileExists(atPath: marker(in: folder, count: count)) { return folder }
        }
        return nil
    }

    private func marker(in folder: BenchFolder, count: Int) -> String {
        folder.url.appendingPathComponent("seeded-\(count)").path
    }

    private func seed(_ folder: BenchFolder, count: Int) async throws {
        let store = try SQLiteStore(path: folder.database)
        let now = Date()
        // Each monitor has progressed, so each has a deadline in the queue, as in a busy installation.
        try await BenchSeed.seed(store, count: count, period: 86_400, grace: 3_600) { index in
            let progress = now.addingTimeInterval(-Double(index % 3_600))
            return MonitorState(status: .up, since: progress, lastSignalAt: progress, lastProgressAt: progress, revision: 1)
        }
    }

    private func listThroughCLI(_ server: BenchServer, folder: BenchFolder) throws -> Double {
        let output = folder.url.appendingPathComponent("status.json")
        let (status, elapsed) = try BenchSpawn.run(
            [Machine.executable.path, "status", "--json", "--server", server.url, "--data-dir", folder.data.path], output: output.path)
        guard status == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw BenchError("vigil status --json failed with status \(status): \(text.prefix(500))")
        }
        let listed = try count(Data(contentsOf: output))
        guard listed == self.listed else { throw BenchError("vigil status --json listed \(listed) of \(self.listed)") }
        return elapsed * 1000
    }

    private func listThroughAPI(_ server: BenchServer, folder: BenchFolder) throws -> Double {
        // The read API needs a key: the one vigil serve keeps in its data folder for the CLI on this machine.
        let headers = LocalKey.read(from: folder.data.path).map { ["X-Api-Key": $0] } ?? [:]
        let begin = BenchClock.now()
        guard let reply = BenchHTTP.request(port: server.port, path: "/api/v1/monitors", headers: headers) else {
            throw BenchError("GET /api/v1/monitors got no answer")
        }
        guard reply.status == 200 else {
            throw BenchError("GET /api/v1/monitors answered \(reply.status): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
        }
        let elapsed = BenchClock.now() - begin
        let listed = try count(Data(reply.body))
        guard listed == self.listed else { throw BenchError("GET /api/v1/monitors listed \(listed) of \(self.listed)") }
        return elapsed * 1000
    }

    private func count(_ json: Data) throws -> Int {
        guard let array = try JSONSerialization.jsonObject(with: json) as? [Any] else {
            throw BenchError("the monitor list is not a JSON array")
        }
        return array.count
    }
}

extension BenchFolder {
    /// A folder kept by an earlier run; it is kept again.
    init(reusing url: URL) {
        self.url = url
        self.keep = true
    }
}

/// `vigil run` overhead: wall time of `vigil run x -- true` minus that of `true`, against a server on loopback.
struct RunOverheadBenchmark {
    var repeats = 20
    var runs = 3
    var workDir: String?
    var keep = false

    func run() async throws {
        let folder = try BenchFolder("run", under: workDir, keep: keep)
        defer { folder.remove() }
        let keys = try await BenchSeed.seed(
            try SQLiteStore(path: folder.database), count: 1, period: 86_400, grace: 3_600, keys: true
        ) { _ in .new(at: Date()) }
        // Keep every signal, so that the count below can tell that each vigil run stored both of its pings.
        let server = try BenchServer(folder: folder, configuration: "keep_signals: 100000\n")
        defer { server.stop() }
        let truePath = URL(fileURLWithPath: ["/usr/bin/true", "/bin/true"].first {
            FileManager.default.isExecutableFile(atPath: $0) } ?? "/bin/true")
        let target = keys[0].uuidString.lowercased()
        var overheads: [Double] = [], walls: [Double] = []
        var complaints: [String] = []
        for _ in 0..<runs {
            var plain: [Double] = [], wrapped: [Double] = []
            for _ in 0..<repeats {
                plain.append(try time(truePath, [], folder: folder).milliseconds)
                let run = try time(
                    Machine.executable, ["run", target, "--server", server.url, "--", truePath.path], folder: folder)
                wrapped.append(run.milliseconds)
                if !run.output.isEmpty { complaints.append(run.output) }
            }
            overheads.append(BenchStats.median(wrapped) - BenchStats.median(plain))
            walls.append(BenchStats.median(wrapped))
        }
        let signals = try await SQLiteStore(path: folder.database).signalCount()
        guard signals == 2 * runs * repeats else {
            throw BenchError("vigil run stored \(signals) signals instead of \(2 * runs * repeats); it said: "
                + (complaints.first ?? "nothing"))
        }
        BenchReport.printSection(
            "vigil run overhead (against vigil serve on loopback)",
            [
                BenchFigure(name: "vigil run x -- true, minus true", unit: "ms", values: overheads, targetText: "≤ 20",
                            target: .atMost(20)),
                BenchFigure(name: "vigil run x -- true, wall", unit: "ms", values: walls),
            ],
            notes: ["each run: the median of \(repeats) wall times of each command; both pings were stored every time"]
        )
    }

    /// Runs a command to its end: its wall time and what it printed.
    private func time(_ executable: URL, _ arguments: [String], folder: BenchFolder) throws
        -> (milliseconds: Double, output: String)
    {
        let log = folder.url.appendingPathComponent("run.log")
        let (status, elapsed) = try BenchSpawn.run([executable.path] + arguments, output: log.path)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw BenchError("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) failed with status "
                + "\(status): \(text.prefix(500))")
        }
        return (elapsed * 1000, text)
    }
}
