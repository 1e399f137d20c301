import Foundation
import VigilEngine
import VigilServer

/// A `vigil serve` process on a free loopback port with its own data folder.
final class ServerProcess: @unchecked Sendable {
    let folder: URL
    let port: Int
    private var process: Process?
    private var launches = 0

    var url: String { "http://127.0.0.1:\(port)" }
    var dataDirectory: URL { folder.appendingPathComponent("data") }
    /// The read-write key that `vigil serve` keeps in its data folder.
    var apiKey: String { LocalKey.read(from: dataDirectory.path) ?? "" }

    /// Writes `config` as `vigil.yml` in a new temporary folder; nothing runs yet.
    init(config: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try FreePort.next()
        try config.write(to: folder.appendingPathComponent("vigil.yml"), atomically: true, encoding: .utf8)
    }

    /// Starts `vigil serve` in the folder, as a user would, and waits until it answers.
    func start() async throws {
        launches += 1
        let log = folder.appendingPathComponent("serve-\(launches).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = Command.vigilBinary
        process.arguments = ["serve", "--data-dir", dataDirectory.path, "--listen", "127.0.0.1:\(port)"]
        process.currentDirectoryURL = folder
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        try await eventually("vigil serve answering on port \(port) (log: \(log.path))") {
            guard process.isRunning else { throw TestFailure("vigil serve exited: \(self.log())") }
            let outcome = try await Command.curl(["--max-time", "1", "\(url)/health"])
            return outcome.stdout == "OK"
        }
    }

    /// Kills the server with SIGKILL: no shutdown code runs.
    func kill9() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops the server gracefully.
    func stop() {
        guard let process else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// Everything the server printed in its latest run.
    func log() -> String {
        (try? String(contentsOf: folder.appendingPathComponent("serve-\(launches).log"), encoding: .utf8)) ?? ""
    }

    func monitors() async throws -> [MonitorView] {
        try await get("/api/v1/monitors")
    }

    func monitor(_ slug: String) async throws -> MonitorView {
        try await get("/api/v1/monitors/\(slug)")
    }

    func signals(_ slug: String) async throws -> [SignalView] {
        try await get("/api/v1/monitors/\(slug)/signals?limit=1000")
    }

    func journal(_ slug: String) async throws -> [JournalEntryView] {
        try await get("/api/v1/monitors/\(slug)/journal?limit=1000")
    }

    private func get<T: Decodable>(_ path: String) async throws -> T {
        let outcome = try await Command.curl(["--fail", "--max-time", "5", "-H", "X-Api-Key: \(apiKey)", url + path])
        guard outcome.status == 0 else { throw TestFailure("GET \(path) failed: \(outcome.stderr)") }
        return try VigilJSON.decoder.decode(T.self, from: Data(outcome.stdout.utf8))
    }

    deinit {
        if let process, process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Free TCP ports on loopback, found by binding port 0 and reading what the system chose.
enum FreePort {
    static func next() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw TestFailure("could not bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
