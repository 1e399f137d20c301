import ArgumentParser
import Foundation

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Vigil: ping ingest, detection lag, a stall storm, scale and vigil run overhead.",
        discussion: """
            Build a release binary first — swift build -c release --static-swift-stdlib --scratch-path .build-release
            --product vigil, or scripts/bench-setup — and run it: .build-release/release/vigil bench all. Each figure is the median of several runs, with
            min–max, beside the target it must meet. Ingest also measures nginx (apt-get install nginx-light) as
            the machine's ceiling; without it that part is skipped. --quick runs tiny sizes as a smoke test.
            """,
        subcommands: [
            BenchAll.self, BenchIngest.self, BenchLag.self, BenchStorm.self, BenchScale.self, BenchRunOverhead.self,
        ]
    )
}

/// What every benchmark command takes.
struct BenchOptions: ParsableArguments {
    @Flag(help: "Tiny sizes and one run: a smoke test, not the issue's figures.")
    var quick = false

    @Option(help: "Runs per figure, printed as the median with min–max (default 3; 1 with --quick).")
    var runs: Int?

    @Option(name: .customLong("work-dir"), help: ArgumentHelp(
        "Where the benchmarks' data folders go (default: the system's temporary folder).", valueName: "dir"))
    var workDir: String?

    @Flag(help: "Keep the data folders afterwards.")
    var keep = false

    var runCount: Int { runs ?? (quick ? 1 : 3) }

    func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be 1 or more") }
    }

    /// Prints the heading, runs `body`, and turns a failed benchmark into a message and exit status 1.
    func perform(_ body: () async throws -> Void) async throws {
        BenchReport.printHeading(runs: runCount, quick: quick)
        do {
            try await body()
        } catch let error as BenchError {
            throw failure("benchmark failed: \(error.description)", status: ExitStatus.refused)
        }
    }
}

/// Parses "32,64" into numbers.
func numberList(_ text: String, option: String) throws -> [Int] {
    let numbers = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("\(option) \"\(text)\" is not a list of positive numbers — e.g. 32,64")
    }
    return numbers.map { $0! }
}

struct BenchAll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run every benchmark at the issue's sizes (a smoke run with --quick).")

    @OptionGroup var options: BenchOptions

    func run() async throws {
        try await options.perform {
            var failed: [String] = []
            let steps: [(String, () async throws -> Void)] = [
                ("run", { try await BenchRunOverhead.plan(options).run() }),
                ("scale", { try await BenchScale.plan(options).run() }),
                ("storm", { try await BenchStorm.plan(options).run() }),
                ("lag", { try await BenchLag.plan(options).run() }),
                ("ingest", { try await BenchIngest.plan(options).run() }),
            ]
            for (name, step) in steps {
                do {
                    try await step()
                } catch let error as BenchError {
                    // One failed benchmark must not hide the figures of the others.
                    emit("== \(name): FAILED — \(error.description)\n")
                    failed.append(name)
                }
            }
            if !failed.isEmpty { throw BenchError("\(failed.joined(separator: ", ")) did not complete") }
        }
    }
}

struct BenchIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ping ingest: keep-alive load against vigil serve, with nginx as the ceiling, and a check that "
            + "every acknowledged ping was stored.")

    @OptionGroup var options: BenchOptions
    @Option(help: "Connections, comma-separated (default 32,64).") var connections: String?
    @Option(help: "Durability settings, comma-separated (default normal,full).") var durability: String?
    @Option(help: "Measured seconds (default 20).") var duration: Double?
    @Option(name: .customLong("warm-up"), help: "Warm-up seconds (default 5).") var warmUp: Double?

    func validate() throws {
        if let connections { _ = try numberList(connections, option: "--connections") }
        if let durability, !durability.split(separator: ",").allSatisfy({ $0 == "normal" || $0 == "full" }) {
            throw ValidationError("--durability \"\(durability)\" must list normal and/or full, e.g. normal,full")
        }
        if let duration, duration <= 0 { throw ValidationError("--duration must be more than 0") }
        if let warmUp, warmUp < 0 { throw ValidationError("--warm-up must be 0 or more") }
    }

    static func plan(_ options: BenchOptions) -> IngestBenchmark {
        var plan = IngestBenchmark(runs: options.runCount, workDir: options.workDir, keep: options.keep)
        if options.quick {
            plan.connections = [4]
            plan.warmUp = 0.5
            plan.duration = 1
            plan.monitors = 50
        }
        return plan
    }

    func run() async throws {
        var plan = Self.plan(options)
        if let connections { plan.connections = try numberList(connections, option: "--connections") }
        if let durability { plan.durabilities = durability.split(separator: ",").map(String.init) }
        if let duration { plan.duration = duration }
        if let warmUp { plan.warmUp = warmUp }
        try await options.perform { try await plan.run() }
    }
}

struct BenchLag: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag",
        abstract: "Detection lag: deadlines spread across a minute, detection time minus deadline, and idle CPU.")

    @OptionGroup var options: BenchOptions
    @Option(help: "Monitor counts, comma-separated (default 10000,1000000).") var monitors: String?
    @Option(help: "Seconds across which the deadlines fall (default 60).") var window: Double?
    @Option(help: "Seconds from seeding to the first deadline (default 10 + 40 per million monitors).") var lead: Double?

    func validate() throws {
        if let monitors { _ = try numberList(monitors, option: "--monitors") }
        if let window, window <= 0 { throw ValidationError("--window must be more than 0") }
        if let lead, lead <= 0 { throw ValidationError("--lead must be more than 0") }
    }

    static func plan(_ options: BenchOptions) -> LagBenchmark {
        var plan = LagBenchmark(runs: options.runCount, workDir: options.workDir, keep: options.keep)
        if options.quick {
            plan.sizes = [1_000]
            plan.window = 2
            plan.lead = 3
        }
        return plan
    }

    func run() async throws {
        var plan = Self.plan(options)
        if let monitors { plan.sizes = try numberList(monitors, option: "--monitors") }
        if let window { plan.window = window }
        if let lead { plan.lead = lead }
        try await options.perform { try await plan.run() }
    }
}

struct BenchStorm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm",
        abstract: "Stall storm: many monitors stall at the same second with a webhook; time to journal and deliver.")

    @OptionGroup var options: BenchOptions
    @Option(help: "Monitors that stall together (default 10000).") var monitors: Int?

    func validate() throws {
        if let monitors, monitors < 1 { throw ValidationError("--monitors must be 1 or more") }
    }

    static func plan(_ options: BenchOptions) -> StormBenchmark {
        var plan = StormBenchmark(runs: options.runCount, workDir: options.workDir, keep: options.keep)
        if options.quick {
            plan.monitors = 200
            plan.lead = 4
        }
        return plan
    }

    func run() async throws {
        var plan = Self.plan(options)
        if let monitors { plan.monitors = monitors }
        try await options.perform { try await plan.run() }
    }
}

struct BenchScale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Scale: memory and cold start with many monitors, and the time to list monitors.")

    @OptionGroup var options: BenchOptions
    @Option(help: "Monitors loaded for memory and cold start (default 1000000).") var monitors: Int?
    @Option(help: "Monitors listed (default 10000).") var listed: Int?

    func validate() throws {
        if let monitors, monitors < 1 { throw ValidationError("--monitors must be 1 or more") }
        if let listed, listed < 1 { throw ValidationError("--listed must be 1 or more") }
    }

    static func plan(_ options: BenchOptions) -> ScaleBenchmark {
        var plan = ScaleBenchmark(runs: options.runCount, workDir: options.workDir, keep: options.keep)
        if options.quick {
            plan.monitors = 5_000
            plan.listed = 500
        }
        return plan
    }

    func run() async throws {
        var plan = Self.plan(options)
        if let monitors { plan.monitors = monitors }
        if let listed { plan.listed = listed }
        try await options.perform { try await plan.run() }
    }
}

struct BenchRunOverhead: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "vigil run overhead: wall time of `vigil run x -- true` minus `true`.")

    @OptionGroup var options: BenchOptions
    @Option(help: "Timed repeats of each command per run (default 20).") var repeats: Int?

    func validate() throws {
        if let repeats, repeats < 1 { throw ValidationError("--repeats must be 1 or more") }
    }

    static func plan(_ options: BenchOptions) -> RunOverheadBenchmark {
        RunOverheadBenchmark(
            repeats: options.quick ? 3 : 20, runs: options.runCount, workDir: options.workDir, keep: options.keep)
    }

    func run() async throws {
        var plan = Self.plan(options)
        if let repeats { plan.repeats = repeats }
        try await options.perform { try await plan.run() }
    }
}
