import AsyncHTTPClient
import Foundation
import NIOCore
import VigilEngine
import VigilServer

/// Runs worlds through the real `vigil serve`: copies a world, starts Vigil under a policy on a free loopback port
/// with a temporary data folder, runs the world's timeline, waits for the dust to settle, and collects the evidence.
public struct ScenarioRunner: Sendable {
    /// The `vigil` binary that runs `serve`; default the running executable.
    public var binary: URL
    /// Copy worlds under this folder and keep them; nil uses a temporary folder that is removed afterwards.
    public var keep: URL?
    /// The most a world's timeline may take before it is stopped.
    public var timelineLimit: Duration = .seconds(180)
    /// After the timeline, how long to wait at most for open incidents to close.
    public var settleLimit: Duration = .seconds(10)
    /// Told each step as it happens, for `--verbose`.
    public var progress: @Sendable (String) -> Void

    public init(binary: URL? = nil, keep: URL? = nil, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.binary = binary ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        self.keep = keep
        self.progress = progress
    }

    /// Runs one world under one policy and scores it.
    public func run(_ world: ScenarioWorld, policy: SupervisionPolicy) async throws(ScenarioError) -> ScenarioScore {
        let started = ContinuousClock.now
        let base = keep ?? FileManager.default.temporaryDirectory
        let folder = base.appendingPathComponent(
            keep == nil ? "vigil-scenario-\(world.id)-\(policy.rawValue)-\(UUID().uuidString.prefix(8))"
                : "\(world.id)-\(policy.rawValue)")
        let copy = folder.appendingPathComponent("world")
        defer { if keep == nil { try? FileManager.default.removeItem(at: folder) } }
        do {
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: world.folder, to: copy)
            try FileManager.default.copyItem(
                at: world.folder.deletingLastPathComponent().appendingPathComponent("lib"),
                to: copy.appendingPathComponent("lib"))
            try FileManager.default.createDirectory(
                at: copy.appendingPathComponent("state"), withIntermediateDirectories: true)
        } catch {
            throw ScenarioError("cannot copy \(world.folder.path) to \(copy.path): \(error.localizedDescription)")
        }

        let sink = NoticeSink()
        try await sink.start()
        let apiKey = "vigil_scenarios_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let original: String
        do {
            original = try String(contentsOf: world.folder.appendingPathComponent("vigil.yml"), encoding: .utf8)
        } catch {
            throw ScenarioError("cannot read \(world.id)/vigil.yml: \(error.localizedDescription)")
        }
        let configuration = try policy.configuration(from: original, webhook: sink.url, apiKey: apiKey)
        let configFile = copy.appendingPathComponent("vigil.\(policy.rawValue).yml")
        let pingKey: String
        do {
            try configuration.write(to: configFile, atomically: true, encoding: .utf8)
            pingKey = try ConfigurationLoader.load(contentsOf: configFile.path).pingKey ?? ""
        } catch let error as ConfigurationError {
            throw ScenarioError("\(world.id) under \(policy.rawValue): \(error.description)")
        } catch {
            throw ScenarioError("cannot write \(configFile.path): \(error.localizedDescription)")
        }
        guard !pingKey.isEmpty else { throw ScenarioError("\(world.id)/vigil.yml needs a ping_key: its workers ping by slug") }

        let port = try Self.freePort()
        let server = ChildProcess(
            binary, ["serve", "--config", configFile.path, "--data-dir", folder.appendingPathComponent("data").path,
                     "--listen", "127.0.0.1:\(port)", "--log-level", "warning"],
            in: copy, log: folder.appendingPathComponent("serve.log"),
            // Actions run with Vigil's environment, and the workers they start ping Vigil.
            environment: ["VIGIL_URL": "http://127.0.0.1:\(port)", "VIGIL_PING_KEY": pingKey])
        let api = APIClient(base: "http://127.0.0.1:\(port)", key: apiKey)
        var timeline: ChildProcess?
        var evidence = ScenarioEvidence()
        do {
            try server.start()
            progress("\(world.id) [\(policy.rawValue)]: vigil serve on 127.0.0.1:\(port), world in \(copy.path)")
            try await api.waitUntilServing(server)
            let script = ChildProcess(
                URL(fileURLWithPath: "/bin/sh"), ["./world.sh"], in: copy, log: folder.appendingPathComponent("world.log"),
                environment: [
                    "VIGIL_URL": "http://127.0.0.1:\(port)", "VIGIL_PING_KEY": pingKey,
                    "SCENARIO_POLICY": policy.rawValue,
                ])
            timeline = script
            try script.start()
            guard await script.wait(upTo: timelineLimit) else {
                throw ScenarioError("\(copy.path)/world.sh did not end within \(timelineLimit)")
            }
            progress("\(world.id) [\(policy.rawValue)]: timeline over; waiting for open incidents to close")
            try await settle(api, state: copy.appendingPathComponent("state"))
            // Acknowledged pings first: each was stored before it was answered, so counting signals afterwards
            // can only find more, never fewer, unless something was lost.
            evidence.readWorldLogs(in: copy.appendingPathComponent("state"))
            evidence.incidents = try await api.get("/api/v1/incidents?limit=10000")
            for slug in evidence.acknowledged.keys {
                let signals: [SignalView] = try await api.get("/api/v1/monitors/\(slug)/signals?limit=10000")
                evidence.stored[slug] = signals.count
            }
            evidence.notices = sink.received
        } catch {
            await teardown(server: server, timeline: timeline, state: copy.appendingPathComponent("state"), sink: sink)
            throw (error as? ScenarioError) ?? ScenarioError("\(world.id) [\(policy.rawValue)]: \(error)")
        }
        await teardown(server: server, timeline: timeline, state: copy.appendingPathComponent("state"), sink: sink)
        let wall = ContinuousClock.now - started
        return ScenarioScore(
            scenario: world.id, policy: policy, evidence: evidence,
            wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)
    }

    /// Waits until every incident is resolved and every injection has an incident or a restoration, or the limit.
    private func settle(_ api: APIClient, state: URL) async throws(ScenarioError) {
        let deadline = ContinuousClock.now + settleLimit
        while ContinuousClock.now < deadline {
            var evidence = ScenarioEvidence()
            evidence.readWorldLogs(in: state)
            let incidents: [IncidentView] = try await api.get("/api/v1/incidents?limit=10000")
            let open = incidents.contains { $0.resolvedAt == nil }
            let lastInjection = evidence.injections.map(\.at).max() ?? .distantPast
            let answered = incidents.contains { $0.detectedAt >= lastInjection }
                || evidence.injections.allSatisfy { evidence.restored[$0.id] != nil }
            if !open && answered { return }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    private func teardown(server: ChildProcess, timeline: ChildProcess?, state: URL, sink: NoticeSink) async {
        timeline?.kill()
        Self.stopWorkers(state)
        await server.terminate()
        // An action that was running when Vigil stopped may have started a worker after the first sweep.
        Self.stopWorkers(state)
        await sink.stop()
    }

    /// SIGKILL to the process group of every worker the world started (their pids are in `state/pids`).
    static func stopWorkers(_ state: URL) {
        let pids = state.appendingPathComponent("pids")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: pids.path)) ?? [] {
            let file = pids.appendingPathComponent(name)
            if let text = try? String(contentsOf: file, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1
            {
                Foundation.kill(-pid, SIGKILL)
            }
        }
    }

    /// A free TCP port on loopback: bind port 0, read what the system chose, close.
    static func freePort() throws(ScenarioError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ScenarioError("cannot open a socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw ScenarioError("cannot find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Reads Vigil's API with a read-only key.
struct APIClient: Sendable {
    let base: String
    let key: String

    func get<T: Decodable>(_ path: String) async throws(ScenarioError) -> T {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "X-Api-Key", value: key)
        do {
            let response = try await OutboundHTTP.client.execute(request, timeout: .seconds(15))
            let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
            guard response.status == .ok else {
                throw ScenarioError("GET \(path) answered \(response.status.code): \(String(buffer: body).prefix(300))")
            }
            return try VigilJSON.decoder.decode(T.self, from: Data(buffer: body))
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw ScenarioError("GET \(base)\(path) failed: \(error)")
        }
    }

    /// Waits until `/health` answers; fails early when the server exited (a configuration it refused, say).
    func waitUntilServing(_ server: ChildProcess) async throws(ScenarioError) {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard server.isRunning else {
                throw ScenarioError("vigil serve exited at start: \(server.output().suffix(800))")
            }
            var request = HTTPClientRequest(url: base + "/health")
            request.method = .GET
            if let response = try? await OutboundHTTP.client.execute(request, timeout: .seconds(2)),
                response.status == .ok
            {
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw ScenarioError("vigil serve did not answer within 60 s: \(server.output().suffix(800))")
    }
}
