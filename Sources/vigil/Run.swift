import ArgumentParser
import Foundation
import Synchronization

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command and report it to a monitor, as runitor does.",
        discussion: """
            Pings /start with a fresh run id, runs the command with its output passed through, then pings the exit
            status with the last 10 kB of output as the body, and exits with the command's own status. A failure
            to reach Vigil is reported on standard error but never stops the command from running.

            Example: vigil run nightly-backup -- /usr/local/bin/backup --full
            """
    )

    @Argument(help: "The monitor: its ping UUID, or its slug (with the project ping key).")
    var target: String

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    @Option(help: "How many bytes of the output's end to send with the result.")
    var tail: Int = 10_000

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("name the command to run after --, e.g. vigil run job -- ./job.sh") }
        guard tail >= 0 else { throw ValidationError("--tail must be 0 or more") }
    }

    func run() async throws {
        let path = try client.pingPath(for: target)
        let rid = UUID().uuidString.lowercased()
        let http = client.client
        await report(http, path + "/start?rid=\(rid)", body: nil)

        let output = OutputTail(limit: tail)
        let status: Int32
        do {
            status = try await execute(command, output: output)
        } catch {
            complain("cannot run \(command[0]): \(error.localizedDescription)")
            output.append(Data("vigil: cannot run \(command[0]): \(error.localizedDescription)\n".utf8))
            status = 127
        }
        await report(http, path + "/\(min(255, max(0, status)))?rid=\(rid)", body: output.contents)
        throw ExitCode(status)
    }

    private func report(_ http: VigilClient, _ path: String, body: Data?) async {
        do {
            let reply = try await http.post(path, body: body)
            if !(200..<300).contains(reply.status) {
                complain("the server answered \(reply.status) to \(path): \(reply.body)")
            }
        } catch {
            if case .unreachable(let message) = error { complain(message) }
        }
    }

    /// Runs the command with its output teed to ours and to `output`; returns its exit status (128+N for signal N).
    private func execute(_ command: [String], output: OutputTail) async throws -> Int32 {
        let process = Process()
        process.executableURL = try Self.locate(command[0])
        process.arguments = Array(command.dropFirst())
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.standardInput
        let finished = OneShot()
        for (pipe, sink) in [(outPipe, FileHandle.standardOutput), (errPipe, FileHandle.standardError)] {
            let handle = pipe.fileHandleForReading
            handle.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    finished.arrive()
                    return
                }
                sink.write(data)
                output.append(data)
            }
        }
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                // Both pipes must be read to their end before the status is final, or the tail could miss a line.
                finished.wait(count: 2)
                let status = process.terminationReason == .uncaughtSignal
                    ? 128 + process.terminationStatus : process.terminationStatus
                continuation.resume(returning: status)
            }
            do {
                try process.run()
                // Our copies of the write ends must close, or the readers would never see the end of the output.
                try? outPipe.fileHandleForWriting.close()
                try? errPipe.fileHandleForWriting.close()
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Finds an executable as a shell would: a path with a slash as given, else the first match on PATH.
    static func locate(_ name: String) throws -> URL {
        if name.contains("/") { return URL(fileURLWithPath: name) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "command not found on PATH"])
    }
}

/// The last `limit` bytes of a command's combined output.
final class OutputTail: Sendable {
    private let limit: Int
    private let buffer = Mutex(Data())

    init(limit: Int) {
        self.limit = limit
    }

    func append(_ data: Data) {
        buffer.withLock { buffer in
            buffer.append(data)
            if buffer.count > limit { buffer.removeFirst(buffer.count - limit) }
        }
    }

    var contents: Data { buffer.withLock { $0 } }
}

/// Counts arrivals; `wait` blocks the calling thread until enough have arrived.
final class OneShot: Sendable {
    private let condition = NSCondition()
    private let count = Mutex(0)

    func arrive() {
        condition.lock()
        count.withLock { $0 += 1 }
        condition.broadcast()
        condition.unlock()
    }

    func wait(count wanted: Int) {
        condition.lock()
        while count.withLock({ $0 }) < wanted { condition.wait() }
        condition.unlock()
    }
}
