import Foundation
import Synchronization

/// A process the harness starts, with its output in a log file so that no pipe can fill up and block it.
final class ChildProcess: Sendable {
    let executable: URL
    let arguments: [String]
    let directory: URL
    let log: URL
    let environment: [String: String]
    private let process = Mutex<Process?>(nil)
    private let ended = Mutex<Bool>(false)

    init(_ executable: URL, _ arguments: [String], in directory: URL, log: URL, environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.directory = directory
        self.log = log
        self.environment = environment
    }

    func start() throws(ScenarioError) {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let child = Process()
        child.executableURL = executable
        child.arguments = arguments
        child.currentDirectoryURL = directory
        child.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        child.standardInput = FileHandle.nullDevice
        child.terminationHandler = { [weak self] _ in self?.ended.withLock { $0 = true } }
        do {
            let handle = try FileHandle(forWritingTo: log)
            child.standardOutput = handle
            child.standardError = handle
            try child.run()
        } catch {
            throw ScenarioError("cannot start \(executable.path): \(error.localizedDescription)")
        }
        process.withLock { $0 = child }
    }

    var isRunning: Bool {
        guard let child = process.withLock({ $0 }), !ended.withLock({ $0 }) else { return false }
        // The termination handler is not always called in time; an exited child is a zombie until reaped.
        guard let stat = try? String(contentsOfFile: "/proc/\(child.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// Waits for the process to end; false when it still runs after `limit`.
    func wait(upTo limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return true
    }

    /// SIGTERM, then SIGKILL after 10 s.
    func terminate() async {
        guard let child = process.withLock({ $0 }), isRunning else { return }
        child.terminate()
        if !(await wait(upTo: .seconds(10))) { kill() }
        _ = await wait(upTo: .seconds(5))
    }

    func kill() {
        guard let child = process.withLock({ $0 }), isRunning else { return }
        Foundation.kill(child.processIdentifier, SIGKILL)
    }

    /// What the process printed.
    func output() -> String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }
}
