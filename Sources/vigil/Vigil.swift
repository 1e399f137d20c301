import ArgumentParser
import Foundation

@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "A self-healing supervisor: watches jobs, agents and services for progress, not mere liveness.",
        discussion: """
            Start the server with `vigil serve`; point cron lines, wrappers and agents at its healthchecks.io-style
            ping URLs, or wrap a command with `vigil run`. Commands that talk to a running server take its URL from
            --server or VIGIL_URL (default http://127.0.0.1:8080).

            Exit codes: 0 success; 1 the server refused the request; 2 a mistake in the configuration, or the
            server could not start; 3 the server could not be reached; 64 a mistake on the command line.
            `vigil run` exits with the wrapped command's own status.
            """,
        version: "0.1.0",
        subcommands: [Serve.self, Ping.self, Run.self, Status.self, Incidents.self, Ack.self, Demo.self, Check.self, Report.self, Calibrate.self, Evaluate.self, Bench.self, Keys.self, Scenarios.self]
    )

    static func main() async {
        if let job = QuickRun.job(CommandLine.arguments.dropFirst()) {
            Foundation.exit(await job.perform())
        }
        await main(nil)
    }
}
