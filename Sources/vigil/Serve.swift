import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import VigilEngine
import VigilServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Vigil: the ping API, the deadline queue and the notifier, on an embedded SQLite store."
    )

    @Option(help: ArgumentHelp("The configuration file (default: ./vigil.yml when it exists).", valueName: "file"))
    var config: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Where the SQLite store lives.", valueName: "dir"))
    var dataDir: String = ".vigil"

    @Option(help: ArgumentHelp("host:port to listen on, instead of the file's `listen:`.", valueName: "address"))
    var listen: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        if let listen, ListenAddress(parsing: listen) == nil {
            throw ValidationError("--listen \"\(listen)\" is not host:port — e.g. 127.0.0.1:8080")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = VigilEngine.Configuration.default
        let file = config ?? (FileManager.default.fileExists(atPath: "vigil.yml") ? "vigil.yml" : nil)
        if let file {
            do {
                configuration = try ConfigurationLoader.load(contentsOf: file)
            } catch {
                for line in error.description.split(separator: "\n") { printError(String(line)) }
                throw ExitCode(ExitStatus.configuration)
            }
        }
        if let listen, let address = ListenAddress(parsing: listen) {
            configuration.listen = address
        }
        let logger = Logger(label: "vigil")
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(ServerOptions(configuration: configuration, dataDirectory: dataDir), logger: logger)
        } catch {
            throw failure("\(error)", status: ExitStatus.configuration)
        }
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw failure(
                "cannot listen on \(configuration.listen): the address is in use — is another Vigil running? "
                    + "Stop it, or choose another address with --listen or listen: in the file",
                status: ExitStatus.configuration
            )
        }
    }
}
