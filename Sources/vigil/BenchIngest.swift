import Foundation
import VigilCore
import VigilStore

/// Ping ingest: keep-alive load on loopback against `vigil serve` and against nginx in the same run.
struct IngestBenchmark {
    var connections: [Int] = [32, 64]
    var durabilities: [String] = ["normal", "full"]
    var warmUp = 5.0
    var duration = 20.0
    /// Monitors pinged round-robin; with `keep_signals: 100000` none of their signals is pruned.
    var monitors = 1_000
    var threads = 2
    var runs = 3
    var workDir: String?
    var keep = false

    func run() async throws {
        var nginxRates: [Int: [Double]] = [:]
        var vigil: [String: [Double]] = [:]
        var notes: [String] = []
        var verified: [String] = []
        let nginxAvailable = BenchNginx.executable != nil
        if !nginxAvailable { notes.append(BenchNginx.missing) }
        for run in 0..<runs {
            for connections in self.connections {
                if nginxAvailable {
                    let folder = try BenchFolder("nginx", under: workDir, keep: keep)
                    defer { folder.remove() }
                    let nginx = try BenchNginx(folder: folder)
                    defer { nginx.stop() }
                    let result = try await LoadGenerator.run(
                        port: nginx.port, paths: ["/ping/ceiling"], connections: connections, threads: threads,
                        warmUp: warmUp, duration: duration)
                    nginxRates[connections, default: []].append(result.rate)
                }
                for durability in durabilities {
                    let result = try await measureVigil(connections: connections, durability: durability)
                    let key = "\(connections)/\(durability)"
                    vigil[key + "/rate", default: []].append(result.load.rate)
                    vigil[key + "/p50", default: []].append(BenchStats.percentile(result.load.latencies, 50) / 1000)
                    vigil[key + "/p99", default: []].append(BenchStats.percentile(result.load.latencies, 99) / 1000)
                    vigil[key + "/max", default: []].append((result.load.latencies.last ?? .nan) / 1000)
                    if let ceiling = nginxRates[connections]?.last {
                        vigil[key + "/ratio", default: []].append(result.load.rate / ceiling * 100)
                    }
                    if result.stored != result.load.acknowledged || result.load.lost > 0 || result.load.rejected > 0 {
                        throw BenchError(
                            "ingest run \(run + 1), \(connections) connections, durability \(durability): "
                                + "\(result.load.acknowledged) pings acknowledged, \(result.load.rejected) refused, "
                                + "\(result.load.lost) without answer, but \(result.stored) signals stored")
                    }
                    verified.append("\(result.stored)")
                }
            }
        }
        var figures: [BenchFigure] = []
        for connections in self.connections {
            if let rates = nginxRates[connections] {
                figures.append(BenchFigure(name: "nginx fixed 200, \(connections) conn", unit: "req/s", values: rates))
            }
            for durability in durabilities {
                let key = "\(connections)/\(durability)"
                let label = "vigil \(connections) conn, durability \(durability)"
                let strict = connections == 64
                figures.append(BenchFigure(
                    name: "\(label): rate", unit: "req/s", values: vigil[key + "/rate"] ?? [],
                    targetText: strict ? "≥ 25 000" : "", target: strict ? .atLeast(25_000) : nil))
                if let ratio = vigil[key + "/ratio"] {
                    figures.append(BenchFigure(
                        name: "\(label): % of nginx", unit: "%", values: ratio,
                        targetText: strict ? "≥ 40" : "", target: strict ? .atLeast(40) : nil))
                }
                figures.append(BenchFigure(name: "\(label): p50", unit: "ms", values: vigil[key + "/p50"] ?? []))
                figures.append(BenchFigure(
                    name: "\(label): p99", unit: "ms", values: vigil[key + "/p99"] ?? [],
                    targetText: strict ? "≤ 10" : "", target: strict ? .atMost(10) : nil))
                figures.append(BenchFigure(name: "\(label): max", unit: "ms", values: vigil[key + "/max"] ?? []))
            }
        }
        notes.append("load: a closed-loop keep-alive generator in this binary (\(threads) threads), GET /ping/<uuid> "
            + "round-robin over \(monitors) monitors, \(BenchFormat.number(warmUp)) s warm-up, "
            + "\(BenchFormat.number(duration)) s measured; nginx and vigil serve each get the same load in every run")
        notes.append("verified after kill -9 of vigil serve in every run: signals stored = pings acknowledged (\(verified.joined(separator: ", ")))")
        BenchReport.printSection("ping ingest (vigil serve on SQLite, child process)", figures, notes: notes)
    }

    struct VigilRun {
        var load: LoadGenerator.Result
        var stored: Int
    }

    private func measureVigil(connections: Int, durability: String) async throws -> VigilRun {
        let folder = try BenchFolder("ingest", under: workDir, keep: keep)
        defer { folder.remove() }
        let keys: [UUID]
        do {
            let store = try SQLiteStore(path: folder.database)
            let now = Date()
            keys = try await BenchSeed.seed(store, count: monitors, period: 86_400, grace: 3_600, keys: true) { _ in
                .new(at: now)
            }
        }
        let server = try BenchServer(
            folder: folder,
            configuration: "ping_key: benchbenchbenchbench\ndurability: \(durability)\nkeep_signals: 100000\n")
        let load: LoadGenerator.Result
        do {
            load = try await LoadGenerator.run(
                port: server.port, paths: keys.map { "/ping/\($0.uuidString.lowercased())" },
                connections: connections, threads: threads, warmUp: warmUp, duration: duration)
        } catch {
            server.stop()
            throw error
        }
        // kill -9, as a crash would: what was acknowledged must be in the file all the same.
        server.child.crash()
        let stored = try await SQLiteStore(path: folder.database).signalCount()
        return VigilRun(load: load, stored: stored)
    }
}
