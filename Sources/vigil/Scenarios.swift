import ArgumentParser
import Foundation
import Logging
import VigilEngine
import VigilScenarios

struct Scenarios: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Run the scenario suite: real stalls in small worlds, scored under Vigil and under restart-only.",
        discussion: """
            Each world in scenarios/NN-name/ is a vigil.yml and a few shell scripts: workers that ping a real \
            `vigil serve` on a free loopback port, and a timeline that injects a fault. The same world runs under \
            Vigil's own configuration and under a restart-only baseline (restart the worker on a stall, at most 5 \
            times a minute, then tell a person). See docs/scenarios.md.
            """,
        subcommands: [ScenariosRun.self, ScenariosList.self]
    )
}

struct ScenariosList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the scenarios.")

    @Option(help: ArgumentHelp("The scenarios folder (default: ./scenarios, or the checkout's).", valueName: "dir"))
    var dir: String?

    func run() async throws {
        let worlds = try discover()
        for world in worlds { print("\(world.id)  \(world.title)") }
    }

    private func discover() throws -> [ScenarioWorld] {
        do {
            return try ScenarioWorld.discover(in: try ScenarioWorld.locateRoot(dir))
        } catch {
            throw failure(error.description, status: ExitStatus.commandLine)
        }
    }
}

struct ScenariosRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios and print how each fared under each policy, side by side.",
        discussion: """
            NAMES pick scenarios by number (3), name (dependency-outage) or both (03-dependency-outage); without \
            them all run. Every world runs under both policies unless --policy says otherwise. With --json, one \
            object per scenario and policy.
            """
    )

    @Argument(help: "Scenarios to run (default: all).")
    var names: [String] = []

    @Flag(help: "Print the scores as JSON instead of a table.")
    var json = false

    @Option(help: "vigil, restart-only or both.")
    var policy: String = "both"

    @Option(help: ArgumentHelp("The scenarios folder (default: ./scenarios, or the checkout's).", valueName: "dir"))
    var dir: String?

    @Option(help: ArgumentHelp("Keep each world's copy, logs and data here.", valueName: "dir"))
    var keep: String?

    @Option(help: "How many runs at once (each is a vigil serve and its world).")
    var jobs: Int = 2

    @Flag(help: "Tell each step on standard error.")
    var verbose = false

    func validate() throws {
        guard ["both", "vigil", "restart-only"].contains(policy) else {
            throw ValidationError("--policy \(policy) is not one of vigil, restart-only, both")
        }
        guard (1...8).contains(jobs) else { throw ValidationError("--jobs must be from 1 to 8") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let worlds: [ScenarioWorld]
        do {
            worlds = try ScenarioWorld.select(names, from: ScenarioWorld.discover(in: ScenarioWorld.locateRoot(dir)))
        } catch {
            throw failure(error.description, status: ExitStatus.commandLine)
        }
        let policies: [SupervisionPolicy] = switch policy {
        case "vigil": [.vigil]
        case "restart-only": [.restartOnly]
        default: [.vigil, .restartOnly]
        }
        let verbose = verbose
        let runner = ScenarioRunner(keep: keep.map { URL(fileURLWithPath: $0).standardizedFileURL }) { line in
            if verbose { FileHandle.standardError.write(Data("scenarios: \(line)\n".utf8)) }
        }
        let runs = worlds.flatMap { world in policies.map { (world, $0) } }
        var scores: [ScenarioScore?] = Array(repeating: nil, count: runs.count)
        var failures: [String] = []
        await withTaskGroup(of: (Int, Result<ScenarioScore, ScenarioError>).self) { group in
            var next = 0
            func launch() {
                let index = next
                let (world, policy) = runs[index]
                next += 1
                group.addTask {
                    do {
                        return (index, .success(try await runner.run(world, policy: policy)))
                    } catch {
                        return (index, .failure((error as? ScenarioError) ?? ScenarioError("\(error)")))
                    }
                }
            }
            while next < min(jobs, runs.count) { launch() }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let score):
                    scores[index] = score
                    if verbose { complain("\(score.scenario) [\(score.policy.rawValue)] done in \(Int(score.wallSeconds)) s") }
                case .failure(let error):
                    failures.append("\(runs[index].0.id) [\(runs[index].1.rawValue)]: \(error.description)")
                }
                if next < runs.count { launch() }
            }
        }
        let report = ScenarioReport(scores: scores.compactMap { $0 })
        if json {
            let data = try VigilJSON.prettyEncoder.encode(report.scores)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(report.table)
            let targets = report.targets
            if !targets.isEmpty {
                print("\ntargets:")
                for target in targets { print("  \(target.met ? "met   " : "MISSED") \(target.target): \(target.detail)") }
            }
        }
        for failure in failures { complain(failure) }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
