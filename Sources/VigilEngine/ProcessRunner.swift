import Foundation
import Synchronization
import VigilCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs the commands of probes and actions: each in its own process group, its output bounded, and on timeout or
/// cancellation the whole group ended with SIGTERM and, after a grace, SIGKILL.
///
/// The waiting happens on a dedicated thread per command, never on a Swift concurrency thread, and every child is
/// reaped.
public struct ProcessRunner: Sendable {
    /// How long a process group has between SIGTERM and SIGKILL; default 2 s.
    public var killGrace: TimeInterval
    /// How long output is still read after the command exited, while its children keep the output open; default 1 s.
    /// Those children are left running: a command may start a service on purpose.
    public var drainGrace: TimeInterval
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - killGrace: between SIGTERM and SIGKILL; default 2 s.
    ///   - drainGrace: reading output after the command exited; default 1 s.
    ///   - now: the clock for `startedAt` and `finishedAt`; default the system's.
    public init(
        killGrace: TimeInterval = 2,
        drainGrace: TimeInterval = 1,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.killGrace = killGrace
        self.drainGrace = drainGrace
        self.now = now
    }

    /// Runs `command` and reports how it ended: succeeded on exit 0; failed with the exit status, or 128 + the
    /// signal, or no code when it could not start; timed out when `timeout` passed first. A cancelled task ends
    /// the process group and gets a failed outcome.
    public func run(_ command: CommandSpec, timeout: TimeInterval) async -> ActionOutcome {
        await execute(command, timeout: timeout, headLimit: 0).outcome
    }

    /// Runs `command` and keeps, besides the last `outputLimit` bytes, the first `headLimit` bytes of output.
    func execute(_ command: CommandSpec, timeout: TimeInterval, headLimit: Int) async -> Completion {
        let control = RunControl()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Completion, Never>) in
                let thread = Thread {
                    continuation.resume(
                        returning: supervise(command, timeout: timeout, headLimit: headLimit, control: control)
                    )
                }
                thread.name = "vigil.process"
                thread.start()
            }
        } onCancel: {
            control.cancel()
        }
    }
}

extension ProcessRunner {
    /// How a command ended, with its output.
    struct Completion: Sendable {
        enum End: Sendable, Equatable {
            case exited(Int32)
            case signaled(Int32)
            case notStarted(String)
        }

        var end: End
        var timedOut: Bool
        var cancelled: Bool
        /// The first bytes of output, up to the head limit.
        var head: [UInt8]
        /// The last bytes of output, up to the command's `outputLimit`.
        var tail: [UInt8]
        var startedAt: Date
        var finishedAt: Date

        /// The exit status, or 128 + the signal as shells report it.
        var code: Int? {
            switch end {
            case .exited(let status): Int(status)
            case .signaled(let signal): 128 + Int(signal)
            case .notStarted: nil
            }
        }

        var output: String { String(decoding: tail, as: UTF8.self) }

        var outcome: ActionOutcome {
            let status: ActionOutcome.Status
            var text = output
            switch end {
            case .notStarted(let message):
                status = .failed
                text = message
            case _ where timedOut:
                status = .timedOut
            case _ where cancelled:
                status = .failed
                text += text.isEmpty || text.hasSuffix("\n") ? "(cancelled)" : "\n(cancelled)"
            case .exited(0):
                status = .succeeded
            default:
                status = .failed
            }
            return ActionOutcome(status: status, code: code, output: text, startedAt: startedAt, finishedAt: finishedAt)
        }
    }

    /// Lets the awaiting task ask the supervising thread to end the process group.
    final class RunControl: Sendable {
        private let flag = Atomic<Bool>(false)
        func cancel() { flag.store(true, ordering: .releasing) }
        var isCancelled: Bool { flag.load(ordering: .acquiring) }
    }

    /// Keeps the first `headLimit` and the last `tailLimit` bytes of a stream in at most about twice that memory.
    struct OutputBuffer {
        let headLimit: Int
        let tailLimit: Int
        private(set) var head: [UInt8] = []
        private var recent: [UInt8] = []

        init(headLimit: Int, tailLimit: Int) {
            self.headLimit = max(0, headLimit)
            self.tailLimit = max(0, tailLimit)
        }

        mutating func append(_ bytes: UnsafeRawBufferPointer) {
            if head.count < headLimit {
                head.append(contentsOf: bytes.prefix(headLimit - head.count))
            }
            guard tailLimit > 0 else { return }
            if bytes.count >= tailLimit {
                recent = Array(bytes.suffix(tailLimit))
                return
            }
            recent.append(contentsOf: bytes)
            // Trimming only past twice the limit keeps the cost of removeFirst amortised.
            if recent.count > 2 * tailLimit {
                recent.removeFirst(recent.count - tailLimit)
            }
        }

        var tail: [UInt8] { Array(recent.suffix(tailLimit)) }
    }

    /// Runs on the dedicated thread: spawns, reads, enforces the timeout, reaps.
    func supervise(_ command: CommandSpec, timeout: TimeInterval, headLimit: Int, control: RunControl) -> Completion {
        let startedAt = now()
        func notStarted(_ message: String) -> Completion {
            Completion(
                end: .notStarted(message), timedOut: false, cancelled: control.isCancelled, head: [], tail: [],
                startedAt: startedAt, finishedAt: now()
            )
        }
        if control.isCancelled { return notStarted("cancelled before it started") }
        let child: Spawned
        do {
            child = try Spawner.spawn(command)
        } catch {
            return notStarted(error.message)
        }
        defer { close(child.output) }

        let clock = ContinuousClock()
        let begin = clock.now
        let deadline = begin + .seconds(TimeLimit.bounded(timeout))
        let killGrace = Duration.seconds(TimeLimit.bounded(self.killGrace))
        let drainGrace = Duration.seconds(TimeLimit.bounded(self.drainGrace))
        var buffer = OutputBuffer(headLimit: headLimit, tailLimit: command.outputLimit)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var endOfOutput = false
        var exitedAt: ContinuousClock.Instant?
        var timedOut = false
        var cancelled = false
        // Set while the group has had SIGTERM and waits for its grace to end.
        var terminatingUntil: ContinuousClock.Instant?
        var killed = false
        var idle = Duration.milliseconds(1)

        while true {
            let current = clock.now
            if exitedAt == nil, Self.hasExited(child.pid) { exitedAt = current }

            if let until = terminatingUntil {
                if (exitedAt != nil && endOfOutput) || current >= until {
                    // The leader is not reaped yet, so the group id cannot have been reused.
                    kill(-child.pid, SIGKILL)
                    terminatingUntil = nil
                    killed = true
                }
            } else if !killed && exitedAt == nil {
                if current >= deadline {
                    timedOut = true
                } else if control.isCancelled {
                    cancelled = true
                }
                if timedOut || cancelled {
                    kill(-child.pid, SIGTERM)
                    terminatingUntil = current + killGrace
                }
            }

            if let exitedAt, terminatingUntil == nil {
                let drained = endOfOutput || current >= exitedAt + drainGrace
                if drained || control.isCancelled { break }
            }

            // Wait for output or the next thing to check, whichever is first.
            var wait = idle
            for event in [deadline, terminatingUntil, exitedAt.map { $0 + drainGrace }] {
                if let event, event > current { wait = min(wait, event - current) }
            }
            let milliseconds = Int32(max(1, (wait / .milliseconds(1)).rounded(.up)))
            var activity = false
            if endOfOutput {
                poll(nil, 0, milliseconds)
            } else {
                var descriptor = pollfd(fd: child.output, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, milliseconds) > 0 {
                    // Read a bounded amount per round so that a flood cannot starve the timeout.
                    reading: for _ in 0..<16 {
                        let count = chunk.withUnsafeMutableBytes { read(child.output, $0.baseAddress, $0.count) }
                        if count > 0 {
                            activity = true
                            chunk.withUnsafeBytes { buffer.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                        } else if count == 0 {
                            endOfOutput = true
                            activity = true
                            break reading
                        } else if errno == EINTR {
                            continue
                        } else {
                            if errno != EAGAIN && errno != EWOULDBLOCK { endOfOutput = true }
                            break reading
                        }
                    }
                }
            }
            idle = activity ? .milliseconds(1) : min(idle * 2, .milliseconds(50))
        }

        let end = Self.reap(child.pid)
        return Completion(
            end: end, timedOut: timedOut, cancelled: cancelled, head: buffer.head, tail: buffer.tail,
            startedAt: startedAt, finishedAt: now()
        )
    }

    /// True once the child has exited; it stays a zombie (unreaped), which keeps its pid and group id reserved.
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while true {
            let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if result == 0 { return info.si_signo == SIGCHLD }
            if errno == EINTR { continue }
            // ECHILD: nothing left to wait for.
            return true
        }
    }

    static func reap(_ pid: pid_t) -> Completion.End {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR {
                return .notStarted("lost track of process \(pid): \(String(cString: strerror(errno)))")
            }
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

/// A started child: its pid (also its process group id) and the read end of its output.
struct Spawned {
    var pid: pid_t
    var output: Int32
}

/// Starts a child with posix_spawn in a new process group, its stdin /dev/null, stdout and stderr one pipe.
enum Spawner {
    struct Failure: Error {
        var message: String
    }

    // These glibc functions are hidden from Swift without _GNU_SOURCE; look them up once.
    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>)
        -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    private static let addChdir = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    private static let addCloseFrom = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)
    private static let pipe2 = symbol("pipe2", as: Pipe2.self)

    /// Signals whose disposition a child must not inherit: Vigil ignores some of them (SIGPIPE, and SIGTERM while
    /// service-lifecycle watches it), and an ignored SIGTERM would make every timeout wait for SIGKILL.
    private static let defaultSignals: [Int32] = [
        SIGPIPE, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU,
    ]

    static func spawn(_ command: CommandSpec) throws(Failure) -> Spawned {
        let arguments: [String]
        if command.shell {
            guard let line = command.argv.first, !line.isEmpty else {
                throw Failure(message: "the shell command is empty")
            }
            arguments = ["/bin/sh", "-c", line] + command.argv.dropFirst()
        } else {
            guard let name = command.argv.first, !name.isEmpty else { throw Failure(message: "the command is empty") }
            arguments = command.argv
        }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(command.environment) { _, new in new }
        if let directory = command.workingDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw Failure(message: "cannot run \"\(arguments[0])\": working directory \(directory) does not exist")
            }
        }
        guard let executable = resolve(arguments[0], path: environment["PATH"]) else {
            throw Failure(message: "cannot run \"\(arguments[0])\": command not found")
        }

        var fds: [Int32] = [-1, -1]
        // Close-on-exec from the start, so that a child spawned meanwhile by another thread cannot hold our pipe.
        let piped = if let pipe2 { pipe2(&fds, O_CLOEXEC) } else { pipe(&fds) }
        guard piped == 0 else { throw Failure(message: "cannot create a pipe: \(lastError())") }
        if pipe2 == nil {
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        let (readEnd, writeEnd) = (fds[0], fds[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        if let addCloseFrom { _ = addCloseFrom(&actions, 3) }
        if let directory = command.workingDirectory {
            guard let addChdir else {
                close(readEnd)
                close(writeEnd)
                throw Failure(message: "this system cannot start a command in a working directory")
            }
            _ = addChdir(&actions, directory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in defaultSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(writeEnd)
        guard result == 0 else {
            close(readEnd)
            throw Failure(message: "cannot run \"\(arguments[0])\": \(String(cString: strerror(result)))")
        }
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        return Spawned(pid: pid, output: readEnd)
    }

    /// The executable for `name`: itself when it holds a slash, else the first match on `path` (the child's PATH).
    static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") { return name }
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(
            separator: ":", omittingEmptySubsequences: false)
        for directory in directories {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT != S_IFDIR, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
