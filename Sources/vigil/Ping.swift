import ArgumentParser
import Foundation

struct Ping: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Send one signal to a monitor, as curl to its ping URL would.",
        discussion: """
            Examples:
              vigil ping nightly-backup                  # success: progress by default
              vigil ping 2f5c…-… --start                 # a run started
              vigil ping agent --exit 3                  # a run ended with status 3 (non-zero = failure)
              vigil ping pipeline --signal post.published
              vigil ping worker --signal queue.offset --value 1200
            """
    )

    @Argument(help: "The monitor: its ping UUID, or its slug (with the project ping key).")
    var target: String

    @Flag(help: "A run started.") var start = false
    @Flag(help: "The run failed.") var fail = false
    @Flag(help: "Just a log line: never changes the state.") var log = false
    @Option(help: ArgumentHelp("The run ended with this exit status (0-255).", valueName: "status")) var exit: Int?
    @Option(help: ArgumentHelp("A typed signal, e.g. commit or post.published.", valueName: "kind")) var signal: String?
    @Option(help: "The signal's numeric value (with --signal).") var value: Double?
    @Option(help: ArgumentHelp("A run id (UUID) that ties a start to its end.", valueName: "uuid")) var rid: String?
    @Option(help: "Text to send as the ping body.") var body: String?
    @Flag(help: "Create the monitor if the slug is unknown.") var create = false

    @OptionGroup var client: ClientOptions

    func validate() throws {
        let chosen = [start, fail, log, exit != nil, signal != nil].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("choose one of --start, --fail, --log, --exit and --signal") }
        if let exit, !(0...255).contains(exit) { throw ValidationError("--exit \(exit) is out of range: use 0-255") }
        if value != nil, signal == nil { throw ValidationError("--value goes with --signal KIND") }
        if let rid, UUID(uuidString: rid) == nil { throw ValidationError("--rid \(rid) is not a UUID") }
    }

    func run() async throws {
        var path = try client.pingPath(for: target)
        if start { path += "/start" }
        if fail { path += "/fail" }
        if log { path += "/log" }
        if let exit { path += "/\(exit)" }
        if let signal { path += "/signal/\(signal)" }
        var query: [String] = []
        if let value { query.append("value=\(value)") }
        if let rid { query.append("rid=\(rid.lowercased())") }
        if create { query.append("create=1") }
        if !query.isEmpty { path += "?" + query.joined(separator: "&") }
        let reply: VigilClient.Reply
        do {
            reply = try await client.client.post(path, body: body.map { Data($0.utf8) })
        } catch {
            guard case .unreachable(let message) = error else { throw error }
            throw failure(message, status: ExitStatus.unreachable)
        }
        guard (200..<300).contains(reply.status) else {
            throw failure("the server answered \(reply.status): \(reply.body)", status: ExitStatus.refused)
        }
        print(reply.body)
    }
}
