import Foundation
import Logging
import Synchronization
import VigilCore
import VigilEngine
import VigilStore

/// Detection lag: monitors whose deadlines fall across a window, each deadline's detection time minus the deadline,
/// and the CPU used while nothing is due. Runs the real engine in this process on a real SQLite file.
struct LagBenchmark {
    var sizes: [Int] = [10_000, 1_000_000]
    /// The deadlines fall evenly across this many seconds.
    var window = 60.0
    /// Seconds from the end of seeding to the first deadline; nil: 10 s plus 40 s per million monitors.
    var lead: Double?
    var runs = 3
    var workDir: String?
    var keep = false

    func run() async throws {
        var figures: [BenchFigure] = []
        for size in sizes {
            var p50: [Double] = [], p99: [Double] = [], worst: [Double] = [], decided: [Double] = []
            var idle: [Double] = [], load: [Double] = [], copied: [Double] = []
            for _ in 0..<runs {
                let result = try await measure(size: size)
                p50.append(BenchStats.percentile(result.lags, 50))
                p99.append(BenchStats.percentile(result.lags, 99))
                worst.append(result.lags.last ?? .nan)
                decided.append(BenchStats.percentile(result.decided, 99))
                idle.append(result.idleCPU)
                load.append(result.loadSeconds)
                copied.append(result.inSQLite)
            }
            let big = size >= 1_000_000
            let n = BenchFormat.number(Double(size))
            figures += [
                BenchFigure(name: "lag p50, N = \(n)", unit: "ms", values: p50),
                BenchFigure(name: "lag p99, N = \(n)", unit: "ms", values: p99, targetText: big ? "≤ 20" : "",
                            target: big ? .atMost(20) : nil),
                BenchFigure(name: "lag max, N = \(n)", unit: "ms", values: worst, targetText: big ? "≤ 100" : "",
                            target: big ? .atMost(100) : nil),
                BenchFigure(name: "decision lag p99, N = \(n)", unit: "ms", values: decided),
                BenchFigure(name: "CPU while nothing is due, N = \(n)", unit: "% of a core", values: idle,
                            targetText: "~0", target: .atMost(1)),
                BenchFigure(name: "engine start (load), N = \(n)", unit: "s", values: load),
                BenchFigure(name: "all in SQLite's tables, N = \(n)", unit: "s after the window", values: copied),
            ]
        }
        BenchReport.printSection(
            "detection lag (engine in this process, SQLite store, no HTTP)", figures,
            notes: [
                "lag: from each monitor's deadline to the moment its change to `late` is durable (acknowledged by the "
                    + "store: written to its intake log, which survives kill -9) and published; deadlines spread "
                    + "evenly over \(BenchFormat.number(window)) s",
                "all in SQLite's tables: when the store had copied every change from its intake log into the journal "
                    + "and state tables; checked by counting the journal's changes to `late`",
                "decision lag: from the deadline to the engine's decision (the journal's noticed_at)",
            ])
    }

    struct Result {
        /// Milliseconds, sorted.
        var lags: [Double]
        var decided: [Double]
        var idleCPU: Double
        var loadSeconds: Double
        /// Seconds from the end of the window (just after the last deadline) until every change was in SQLite's tables.
        var inSQLite: Double
    }

    private func measure(size: Int) async throws -> Result {
        let folder = try BenchFolder("lag", under: workDir, keep: keep)
        defer { folder.remove() }
        let period = 3_600.0
        let lead = self.lead ?? (10 + 40 * Double(size) / 1_000_000)
        let store = try SQLiteStore(path: folder.database)
        // The first deadline is `lead` seconds after seeding ends; the seeding itself takes a while at a million.
        let seedStart = Date()
        let seedEstimate = 3 + 30 * Double(size) / 1_000_000
        let first = seedStart.addingTimeInterval(seedEstimate + lead)
        try await BenchSeed.seed(store, count: size, period: period, grace: period) { index in
            let deadline = first.addingTimeInterval(window * Double(index) / Double(size))
            let progress = deadline.addingTimeInterval(-period)
            return MonitorState(status: .up, since: progress, lastSignalAt: progress, lastProgressAt: progress, revision: 1)
        }
        guard Date() < first.addingTimeInterval(-2) else {
            throw BenchError("seeding \(size) monitors took until past the first deadline — pass a larger --lead")
        }
        let engine = Engine(
            store: store,
            settings: Engine.Settings(baseURL: "http://127.0.0.1:0", pingKey: nil, notify: [], defaultRateLimit: nil),
            logger: Logger(label: "vigil.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let events = engine.events.subscribe()
        let loadStart = BenchClock.now()
        try await engine.start(declaring: [])
        let loadSeconds = BenchClock.now() - loadStart
        guard Date() < first.addingTimeInterval(-1) else {
            throw BenchError("loading \(size) monitors took \(BenchFormat.number(loadSeconds)) s, past the first "
                + "deadline — pass a larger --lead")
        }
        let deadlines = Task { await engine.runDeadlines() }
        defer { deadlines.cancel() }
        // CPU while nothing is due: from a moment after loading to a moment before the first deadline.
        let idleWindow = min(10, first.timeIntervalSinceNow - 1.5)
        try await Task.sleep(for: .milliseconds(300))
        let cpuBefore = BenchClock.processCPU()
        let wallBefore = BenchClock.now()
        try await Task.sleep(for: .seconds(max(0.5, idleWindow - 0.3)))
        let idleCPU = (BenchClock.processCPU() - cpuBefore) / (BenchClock.now() - wallBefore) * 100

        var lags: [Double] = []
        var decided: [Double] = []
        lags.reserveCapacity(size)
        decided.reserveCapacity(size)
        let collector = Task { () -> ([Double], [Double]) in
            var lags: [Double] = [], decided: [Double] = []
            for await event in events {
                guard case .step(_, let batch) = event else { continue }
                let arrived = Date()
                for effect in batch.effects {
                    guard case .changed(let change) = effect, change.to == .late else { continue }
                    lags.append(arrived.timeIntervalSince(change.at) * 1000)
                    decided.append(change.noticedAt.timeIntervalSince(change.at) * 1000)
                }
                if lags.count >= size { break }
            }
            return (lags, decided)
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(first.timeIntervalSinceNow + window + 120))
            collector.cancel()
        }
        (lags, decided) = await collector.value
        timeout.cancel()
        guard lags.count == size else {
            throw BenchError("only \(lags.count) of \(size) deadlines were detected within \(Int(window + 120)) s")
        }
        // A read waits for the copying from the intake log; the count checks that every change got there.
        let late = try await store.journalCount(changesTo: .late)
        let inSQLite = Date().timeIntervalSince(first.addingTimeInterval(window))
        guard late == size else {
            throw BenchError("\(size) changes to late were acknowledged, but SQLite's journal holds \(late)")
        }
        lags.sort()
        decided.sort()
        return Result(lags: lags, decided: decided, idleCPU: idleCPU, loadSeconds: loadSeconds, inSQLite: inSQLite)
    }
}

/// A stall storm: many monitors stall at the same second with a webhook configured; time until all are journaled
/// as stalled, and until every notice reached a loopback receiver. Runs `vigil serve` as a child process.
struct StormBenchmark {
    var monitors = 10_000
    /// Seconds from starting the server to the common deadline.
    var lead = 8.0
    var runs = 3
    var workDir: String?
    var keep = false

    func run() async throws {
        var journaled: [Double] = [], delivered: [Double] = []
        for _ in 0..<runs {
            let result = try await measure()
            journaled.append(result.journaled)
            delivered.append(result.delivered)
        }
        let n = BenchFormat.number(Double(monitors))
        BenchReport.printSection(
            "stall storm (vigil serve, child process; webhook receiver in this process)",
            [
                BenchFigure(name: "all \(n) journaled as stalled", unit: "s", values: journaled, targetText: "≤ 1",
                            target: .atMost(1)),
                BenchFigure(name: "all \(n) notices delivered", unit: "s", values: delivered, targetText: "≤ 10",
                            target: .atMost(10)),
            ],
            notes: ["both from the common deadline; journaled: polled in the SQLite file every 5 ms"]
        )
    }

    private func measure() async throws -> (journaled: Double, delivered: Double) {
        let folder = try BenchFolder("storm", under: workDir, keep: keep)
        defer { folder.remove() }
        let receiver = BenchReceiver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let store = try SQLiteStore(path: folder.database)
        let period = 3_600.0, grace = 60.0
        let seedStart = Date()
        let deadline = seedStart.addingTimeInterval((3 + 30 * Double(monitors) / 1_000_000 + lead).rounded(.up))
        let due = deadline.addingTimeInterval(-grace)
        let progress = due.addingTimeInterval(-period)
        try await BenchSeed.seed(store, count: monitors, period: period, grace: grace) { _ in
            MonitorState(status: .late, since: due, lastSignalAt: progress, lastProgressAt: progress, revision: 2)
        }
        let server = try BenchServer(
            folder: folder, configuration: "notify:\n  - webhook: http://127.0.0.1:\(receiver.port)/hook\n")
        defer { server.stop() }
        guard Date() < deadline.addingTimeInterval(-0.5) else {
            throw BenchError("vigil serve started after the common deadline — pass a larger --lead")
        }
        var journaledAt: Date?
        // Counted incrementally: a full count of the journal every 5 ms took a third of a core of this machine.
        var stalled = 0
        var readUpTo: Int64 = 0
        let giveUp = deadline.addingTimeInterval(120)
        while Date() < giveUp {
            if journaledAt == nil, Date() >= deadline {
                let new = try await store.journalCount(changesTo: .stalled, after: readUpTo)
                stalled += new.count
                readUpTo = new.last
                if stalled >= monitors { journaledAt = Date() }
            }
            if journaledAt != nil, receiver.received.count >= monitors { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        let received = receiver.received
        guard let journaledAt, received.count >= monitors, let last = received.last else {
            throw BenchError("after 120 s, \(received.count) of \(monitors) notices were delivered"
                + (journaledAt == nil ? " and not every stall was journaled" : ""))
        }
        return (journaledAt.timeIntervalSince(deadline), last.timeIntervalSince(deadline))
    }
}
