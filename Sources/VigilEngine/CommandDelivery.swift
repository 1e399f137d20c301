import Foundation
import Synchronization
import VigilCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a `command` channel's program for one notice: the notice JSON on stdin and in `VIGIL_NOTICE`, its
/// idempotency key in `VIGIL_IDEMPOTENCY_KEY`.
///
/// Exit status 0 means delivered. A program still running at the timeout is ended together with its process group
/// (SIGTERM, then SIGKILL a second later) and the notice counts as not delivered.
struct CommandDelivery: Sendable {
    let argv: [String]
    let timeout: TimeInterval

    /// The most bytes of the program's stderr quoted in the error.
    static let stderrQuoted = 500

    func run(notice: Data, idempotencyKey: String? = nil) async throws {
        Self.ignoreBrokenPipes
        guard let program = argv.first, !program.isEmpty else {
            throw NoticeDeliveryError("the command is empty — give the program and its arguments, e.g. [notify-send]")
        }
        guard let executable = Self.resolve(program) else {
            throw NoticeDeliveryError("command \(program) is not found or not executable — give its full path")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = Array(argv.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["VIGIL_NOTICE"] = String(decoding: notice, as: UTF8.self)
        environment["VIGIL_IDEMPOTENCY_KEY"] = idempotencyKey
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        // A file, not a pipe: a grandchild that keeps the pipe open could never block Vigil reading it.
        let errorPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-command-\(UUID().uuidString).stderr").path
        FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        guard let errorFile = FileHandle(forWritingAtPath: errorPath) else {
            throw NoticeDeliveryError("cannot create a temporary file for the command's output")
        }
        defer { try? errorFile.close() }
        process.standardError = errorFile

        let exit = ExitWaiter()
        process.terminationHandler = { process in exit.finish(process.terminationStatus, process.terminationReason) }
        do {
            try process.run()
        } catch {
            throw NoticeDeliveryError("command \(program) cannot be started: \(error.localizedDescription)")
        }
        let writer = input.fileHandleForWriting
        // On its own thread: a program that does not read stdin must not hold up the timeout.
        Thread {
            try? writer.write(contentsOf: notice)
            try? writer.close()
        }.start()

        let pid = process.processIdentifier
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await exit.wait()
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return !Task.isCancelled
            }
            let first = await group.next() ?? false
            if first {
                Self.kill(pid)
                group.addTask {
                    try? await Task.sleep(for: .seconds(1))
                    if !Task.isCancelled { Self.kill(pid, signal: SIGKILL) }
                    return true
                }
                // The exit waiter finishes once the program is gone.
                while let next = await group.next(), next {}
            }
            group.cancelAll()
            return first
        }
        let (status, reason) = await exit.result()
        if timedOut {
            throw NoticeDeliveryError(
                "command \(program) did not finish within \(DurationFormat.format(timeout)) and was killed")
        }
        guard reason == .exit, status == 0 else {
            let errorText = (FileManager.default.contents(atPath: errorPath) ?? Data()).prefix(Self.stderrQuoted)
            let detail = String(decoding: errorText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let how = reason == .exit ? "exited with status \(status)" : "was killed by signal \(status)"
            throw NoticeDeliveryError("command \(program) \(how)" + (detail.isEmpty ? "" : ": \(detail)"))
        }
    }

    /// Signals the program, and its process group when it leads one.
    private static func kill(_ pid: Int32, signal: Int32 = SIGTERM) {
        guard pid > 0 else { return }
        if getpgid(pid) == pid { _ = systemKill(-pid, signal) }
        _ = systemKill(pid, signal)
    }

    /// A program name without a slash is looked up in `PATH`, as a shell would.
    static func resolve(_ program: String) -> URL? {
        let manager = FileManager.default
        if program.contains("/") {
            return manager.isExecutableFile(atPath: program) ? URL(fileURLWithPath: program) : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if manager.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        return nil
    }

    // Writing the notice to a program that already exited must fail with EPIPE, not end Vigil with SIGPIPE.
    private static let ignoreBrokenPipes: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()
}

private func systemKill(_ pid: Int32, _ signal: Int32) -> Int32 { kill(pid, signal) }

/// The exit of one process, awaited by any number of tasks.
private final class ExitWaiter: Sendable {
    private struct State {
        var result: (Int32, Process.TerminationReason)?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func finish(_ status: Int32, _ reason: Process.TerminationReason) {
        let waiters = state.withLock { state in
            state.result = (status, reason)
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if state.result != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    func result() async -> (Int32, Process.TerminationReason) {
        await wait()
        return state.withLock { $0.result! }
    }
}
