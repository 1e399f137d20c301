import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VigilCore
import VigilEngine
import VigilServer
import VigilStore

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the essay's morning: a content pipeline stalls, Vigil diagnoses it and gets it moving again.",
        discussion: """
            Copies examples/content-pipeline to a temporary folder and runs it with the real engine, real probes and
            real actions, on a free loopback port, with hours compressed into seconds (1 s stands for 1 h). The
            pipeline publishes, its credentials expire, it stops; the timeline is printed as it happens.
            """
    )

    @Option(help: ArgumentHelp("The example folder (default: examples/content-pipeline here or beside the binary).",
                               valueName: "dir"))
    var example: String?

    @Option(help: "Give up after this many seconds.")
    var timeout: Double = 90

    @Option(name: .customLong("keep"), help: ArgumentHelp("Copy the world here and keep it afterwards.", valueName: "dir"))
    var keep: String?

    func run() async throws {
        let source = try locateExample()
        let world = URL(fileURLWithPath: keep ?? NSTemporaryDirectory())
            .appendingPathComponent(keep == nil ? "vigil-demo-\(UUID().uuidString.prefix(8))" : "world")
        try? FileManager.default.removeItem(at: world)
        try FileManager.default.createDirectory(at: world.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: world)
        defer { if keep == nil { try? FileManager.default.removeItem(at: world) } }
        FileManager.default.changeCurrentDirectoryPath(world.path)

        var configuration: VigilEngine.Configuration
        do {
            configuration = try ConfigurationLoader.load(contentsOf: "vigil.yml")
        } catch {
            for line in error.description.split(separator: "\n") { printError(String(line)) }
            throw ExitCode(ExitStatus.configuration)
        }
        configuration.listen = ListenAddress(host: "127.0.0.1", port: try FreeLoopbackPort.next())
        configuration.notify = []
        let options = ServerOptions(configuration: configuration, dataDirectory: world.appendingPathComponent(".vigil").path)
        setenv("VIGIL_BIN", URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, 1)
        setenv("VIGIL_URL", options.baseURL, 1)
        setenv("VIGIL_PING_KEY", configuration.pingKey ?? "", 1)

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .error
            return handler
        }
        let started = Date()
        let printer = TimelinePrinter(start: started)
        printer.say("world copied to \(world.path); 1 s here stands for 1 h of the essay's morning")
        let (running, runningSignal) = AsyncStream.makeStream(of: Int.self)
        let runtime = try await buildRuntime(options, logger: Logger(label: "vigil")) { port in
            runningSignal.yield(port)
        }
        let events = runtime.engine.events.subscribe()
        let services = ServiceGroup(
            services: [runtime.application], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "vigil")
        )
        async let serving: Void = services.run()
        let outcome = await withTaskGroup(of: DemoOutcome?.self) { group in
            group.addTask {
                for await port in running {
                    printer.say("Vigil is watching content-pipeline on 127.0.0.1:\(port)")
                    break
                }
                await runPipeline(printer)
                return nil
            }
            group.addTask {
                for await event in events {
                    if let done = printer.show(event) { return done }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return .timedOut
            }
            var result: DemoOutcome = .timedOut
            while let next = await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            group.cancelAll()
            return result
        }
        await services.triggerGracefulShutdown()
        try? await serving
        switch outcome {
        case .recovered(let incident):
            let detect = incident.detectedAt.timeIntervalSince(incident.onset)
            let recover = (incident.resolvedAt ?? Date()).timeIntervalSince(incident.onset)
            printer.say("done: zero human intervention. MTTD \(DurationText.seconds(detect)) "
                + "(≈ \(Self.essay(detect)) of the morning), MTTR \(DurationText.seconds(recover)) (≈ \(Self.essay(recover)))")
        case .timedOut:
            throw failure("the demo did not recover within \(Int(timeout)) s — see the timeline above", status: 1)
        }
    }

    private func locateExample() throws -> URL {
        var candidates: [URL] = []
        if let example { candidates.append(URL(fileURLWithPath: example)) }
        candidates.append(URL(fileURLWithPath: "examples/content-pipeline"))
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        // .build/<config>/vigil → the checkout's examples/.
        candidates.append(binary.deletingLastPathComponent().appendingPathComponent("../../examples/content-pipeline"))
        candidates.append(binary.deletingLastPathComponent().appendingPathComponent("../../../examples/content-pipeline"))
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("vigil.yml").path) {
            return candidate.standardizedFileURL
        }
        throw failure("cannot find examples/content-pipeline — run from the checkout, or pass --example DIR",
                      status: ExitStatus.commandLine)
    }

    private func runPipeline(_ printer: TimelinePrinter) async {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "./pipeline.sh")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { handle.readabilityHandler = nil; return }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") { printer.say(String(line)) }
        }
        do {
            try process.run()
        } catch {
            printer.say("cannot start pipeline.sh: \(error.localizedDescription)")
        }
    }

    /// Seconds of the demo as hours of the essay.
    static func essay(_ seconds: Double) -> String {
        let minutes = Int((seconds * 60).rounded())
        return "\(minutes / 60)h\(String(format: "%02d", minutes % 60))m"
    }
}

enum DemoOutcome: Sendable {
    case recovered(Incident)
    case timedOut
}

/// Prints the timeline with the time since the start and the essay's clock (05:11 at the start, 1 s = 1 h).
final class TimelinePrinter: Sendable {
    let start: Date
    private let resolved = Mutex<Incident?>(nil)
    /// Journal lines that must have been printed before the demo ends: the recovery and its attempt's end.
    private let seen = Mutex<(recovered: Bool, attemptFinished: Bool)>((false, false))

    init(start: Date) {
        self.start = start
    }

    func say(_ text: String) {
        let elapsed = Date().timeIntervalSince(start)
        let minutes = Int((5 * 60 + 11 + elapsed * 60).rounded()) % (24 * 60)
        let clock = String(format: "%02d:%02d", minutes / 60, minutes % 60)
        let line = String(format: "+%5.1fs  [%@]  ", elapsed, clock) + text + "\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    /// Prints one event; returns the incident once it is resolved and its recovery journaled.
    func show(_ event: EngineEvent) -> DemoOutcome? {
        switch event {
        case .step(let monitor, let batch):
            for effect in batch.effects {
                switch effect {
                case .changed(let change):
                    say("\(monitor.slug): \(change.from.rawValue) → \(change.to.rawValue) — \(change.reason)")
                case .opened(let incident):
                    say("incident \(incident.id.uuidString.prefix(8).lowercased()) opened: \(incident.cause.rawValue),"
                        + " onset \(String(format: "%.1f", incident.onset.timeIntervalSince(start)))s")
                case .resolved(let incident):
                    resolved.withLock { $0 = incident }
                    say("incident \(incident.id.uuidString.prefix(8).lowercased()) resolved by \(incident.resolution ?? "?")")
                }
            }
        case .journal(_, let record):
            say("\(record.event.rawValue): \(record.detail)")
            let both = seen.withLock { seen -> Bool in
                if record.event == .recovery, record.detail.hasPrefix("recovered by") { seen.recovered = true }
                if record.event == .recovery, record.detail.hasPrefix("progress resumed without") {
                    seen = (true, true)
                }
                if record.event == .attemptFinished { seen.attemptFinished = true }
                return seen.recovered && seen.attemptFinished
            }
            if both, let incident = resolved.withLock({ $0 }) { return .recovered(incident) }
        }
        return nil
    }
}

/// A free TCP port on loopback: bind port 0, read what the system chose, close.
enum FreeLoopbackPort {
    static func next() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("cannot open a socket", status: 1) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw failure("cannot find a free loopback port", status: 1) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
