import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import VigilCore
import VigilEngine
import VigilStore

/// A fresh folder for one benchmark, removed afterwards unless asked to keep it.
struct BenchFolder {
    let url: URL
    let keep: Bool

    init(_ name: String, under parent: String?, keep: Bool) throws {
        let base = parent.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        url = base.appendingPathComponent("vigil-bench-\(name)-\(UUID().uuidString.prefix(8))")
        self.keep = keep
        do {
            try FileManager.default.createDirectory(at: url.appendingPathComponent("data"), withIntermediateDirectories: true)
        } catch {
            throw BenchError("cannot create \(url.path): \(error.localizedDescription) — pass --work-dir DIR")
        }
    }

    var data: URL { url.appendingPathComponent("data") }
    var database: String { data.appendingPathComponent("vigil.sqlite").path }

    func remove() {
        if !keep { try? FileManager.default.removeItem(at: url) }
    }
}

/// Writes monitors straight into a store, in chunks, as `vigil serve` would find them after a long life.
enum BenchSeed {
    /// Inserts `count` monitors named `bench-0000001`… that are due every `period` with `grace`, each in the state
    /// `state(index)`; returns their ping keys when `keys` is true.
    @discardableResult
    static func seed(
        _ store: SQLiteStore,
        count: Int,
        period: Double,
        grace: Double,
        keys: Bool = false,
        state: (Int) -> MonitorState
    ) async throws -> [UUID] {
        var pingKeys: [UUID] = []
        let chunk = 50_000
        var start = 0
        let now = Date()
        while start < count {
            let end = min(count, start + chunk)
            let items = (start..<end).map { index in
                let monitor = Monitor(
                    id: UUID(), key: UUID(), slug: "bench-\(String(format: "%07d", index))", schedule: .every(period),
                    grace: grace, origin: .api
                )
                return StoredMonitor(monitor: monitor, state: state(index))
            }
            if keys { pingKeys += items.map(\.monitor.key) }
            try await store.insertMonitors(items, createdAt: now)
            start = end
        }
        return pingKeys
    }
}

/// `vigil serve` as a child process on a loopback port, with a configuration written for the benchmark.
final class BenchServer: @unchecked Sendable {
    let child: BenchChild
    let port: Int
    /// Seconds from starting the process to `/health` answering 200.
    let startSeconds: Double

    var url: String { "http://127.0.0.1:\(port)" }

    /// Starts `vigil serve` on `folder` with `configuration` (YAML, without `listen:`) and waits until it serves.
    init(folder: BenchFolder, configuration: String, timeout: Double = 600) throws {
        port = try BenchHTTP.freePort()
        let file = folder.url.appendingPathComponent("vigil.yml")
        try ("listen: 127.0.0.1:\(port)\n" + configuration).write(to: file, atomically: true, encoding: .utf8)
        let begin = BenchClock.now()
        child = try BenchChild(
            "vigil serve", Machine.executable,
            ["serve", "--config", file.path, "--data-dir", folder.data.path, "--log-level", "warning"],
            logFile: folder.url.appendingPathComponent("serve.log")
        )
        guard BenchHTTP.waitUntilServing(port: port, timeout: timeout, child: child) else {
            child.stop()
            throw BenchError("vigil serve did not start within \(Int(timeout)) s:\n\(child.logTail())")
        }
        startSeconds = BenchClock.now() - begin
    }

    func stop() { child.stop() }
}

/// nginx answering a fixed 200 on a loopback port: the ceiling of what this machine serves over HTTP.
final class BenchNginx: @unchecked Sendable {
    let child: BenchChild
    let port: Int

    static let executable: URL? = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }.map(URL.init(fileURLWithPath:))

    static let missing = "nginx is not installed, so the ceiling is not measured — install it with "
        + "`apt-get install nginx-light` (or run scripts/bench-setup)"

    init(folder: BenchFolder) throws {
        guard let executable = Self.executable else { throw BenchError(Self.missing) }
        port = try BenchHTTP.freePort()
        let prefix = folder.url.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(at: prefix, withIntermediateDirectories: true)
        let configuration = """
            worker_processes auto;
            pid \(prefix.path)/nginx.pid;
            error_log \(prefix.path)/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                keepalive_requests 100000000;
                keepalive_timeout 120s;
                client_body_temp_path \(prefix.path)/body;
                proxy_temp_path \(prefix.path)/proxy;
                fastcgi_temp_path \(prefix.path)/fastcgi;
                uwsgi_temp_path \(prefix.path)/uwsgi;
                scgi_temp_path \(prefix.path)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    location / { default_type text/plain; return 200 "OK"; }
                }
            }

            """
        let file = prefix.appendingPathComponent("nginx.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        child = try BenchChild(
            "nginx", executable,
            ["-p", prefix.path, "-c", file.path, "-e", prefix.appendingPathComponent("error.log").path, "-g", "daemon off;"],
            logFile: prefix.appendingPathComponent("stdout.log")
        )
        guard BenchHTTP.waitUntilServing(port: port, path: "/", timeout: 30, child: child) else {
            child.stop()
            throw BenchError("nginx did not start:\n\(child.logTail())")
        }
    }

    func stop() { child.stop(grace: 5) }
}

/// A webhook receiver on a loopback port that notes when each distinct notice arrived.
final class BenchReceiver: Sendable {
    private struct State {
        var keys = Set<String>()
        var last: Date?
        var duplicates = 0
    }

    private let state = Mutex(State())
    private let portBox = Mutex<Int?>(nil)
    private let group = Mutex<ServiceGroup?>(nil)

    var port: Int { portBox.withLock { $0 } ?? 0 }
    /// Distinct notices received, when the last one came, and how many came again.
    var received: (count: Int, last: Date?, duplicates: Int) {
        state.withLock { ($0.keys.count, $0.last, $0.duplicates) }
    }

    func start() async throws {
        let router = Router()
        router.post("/hook") { request, _ in
            _ = try await request.body.collect(upTo: 1 << 20)
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? UUID().uuidString
            let now = Date()
            self.state.withLock { state in
                if state.keys.insert(key).inserted { state.last = now } else { state.duplicates += 1 }
            }
            return HTTPResponse.Status.ok
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.portBox.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "vigil.bench.receiver", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let services = ServiceGroup(
            services: [app], gracefulShutdownSignals: [], logger: Logger(label: "vigil.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        group.withLock { $0 = services }
        Task { try await services.run() }
        let deadline = BenchClock.now() + 30
        while port == 0 {
            guard BenchClock.now() < deadline else { throw BenchError("the webhook receiver did not start") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func stop() async {
        await group.withLock { $0 }?.triggerGracefulShutdown()
    }
}
