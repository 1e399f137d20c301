import ArgumentParser
import Foundation
import Synchronization

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command and report it to a monitor, as runitor does.",
        discussion: """
            Pings /start with a fresh run id as the command starts, runs it with its output passed through, then
            pings the exit status with the last 10 kB of output as the body, and exits with the command's own
            status. A failure to reach Vigil is reported on standard error but never stops or delays the command.

            Example: vigil run nightly-backup -- /usr/local/bin/backup --full
            """
    )

    @Argument(help: "The monitor: its ping UUID, or its slug (with the project ping key).")
    var target: String

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    static let defaultTail = 10_000

    @Option(help: "How many bytes of the output's end to send with the result.")
    var tail: Int = Self.defaultTail

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("name the command to run after --, e.g. vigil run job -- ./job.sh") }
        guard tail >= 0 else { throw ValidationError("--tail must be 0 or more") }
    }

    func run() async throws {
        let job = RunJob(path: try client.pingPath(for: target), command: command, tail: tail, http: client.client)
        let status = await job.perform()
        // Thrown, even an ExitCode(0) makes ArgumentParser reflect on this command to build an error message.
        if status != 0 { throw ExitCode(status) }
    }
}

/// `vigil run` in the plain form cron lines use (`vigil run <monitor> [--server <url>] -- <command…>`), started
/// without ArgumentParser: reflecting on ~30 commands to parse a few arguments was about a third of the CPU a
/// `vigil run` spends around the command. Anything else, including every mistake, goes through `Vigil.main`.
enum QuickRun {
    /// The job for `arguments` (without the program's name), or nil when they are not of that plain form or fail the
    /// checks that parsing would report.
    static func job(_ arguments: ArraySlice<String>) -> RunJob? {
        var rest = arguments
        guard rest.popFirst() == "run", let target = rest.popFirst(), !target.hasPrefix("-") else { return nil }
        var settings = ClientSettings()
        while let word = rest.popFirst(), word != "--" {
            if word == "--server", let url = rest.popFirst() {
                settings.server = url
            } else if word.hasPrefix("--server=") {
                settings.server = String(word.dropFirst("--server=".count))
            } else {
                return nil
            }
        }
        // The loop stops with words left only at `--`; what follows it is the command.
        guard !rest.isEmpty else { return nil }
        // A bad URL is reported by ArgumentParser, with the usage, as before.
        guard (try? settings.validate()) != nil else { return nil }
        let path: String
        do {
            path = try settings.pingPath(for: target)
        } catch let code as ExitCode {
            // pingPath has told the user what is wrong; ArgumentParser would only exit with the code.
            exit(code.rawValue)
        } catch {
            return nil
        }
        return RunJob(path: path, command: Array(rest), tail: Run.defaultTail, http: settings.client)
    }
}

/// One `vigil run`: pings the start, runs the command, pings its end with the output's tail.
struct RunJob {
    let path: String
    let command: [String]
    let tail: Int
    let http: VigilClient

    /// Runs the command and reports it; returns its exit status.
    func perform() async -> Int32 {
        let rid = UUID().uuidString.lowercased()
        // The command does not wait for Vigil: the start goes out while it runs, and the end only after the start
        // was answered, so the server still sees them in order. A slow or unreachable server (three retries take
        // 3.5 s) no longer delays the job.
        let started = Task { [http, path] in await Self.report(http, path + "/start?rid=\(rid)", body: nil) }

        let output = OutputTail(limit: tail)
        let status: Int32
        do {
            status = try await execute(command, output: output)
        } catch {
            complain("cannot run \(command[0]): \(error)")
            output.append(Data("vigil: cannot run \(command[0]): \(error)\n".utf8))
            status = 127
        }
        await started.value
        await Self.report(http, path + "/\(min(255, max(0, status)))?rid=\(rid)", body: output.contents)
        return status
    }

    private static func report(_ http: VigilClient, _ path: String, body: Data?) async {
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
        // The command runs on a thread of its own: waiting for it must not hold a Swift concurrency thread.
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let status = try Spawn.run(command) { data, isError in
                        (isError ? FileHandle.standardError : FileHandle.standardOutput).write(data)
                        output.append(data)
                    }
                    continuation.resume(returning: status)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "vigil.run"
            thread.start()
        }
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
