import ArgumentParser
import Foundation
import VigilEngine

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file without starting anything.",
        discussion: "Every mistake is printed as FILE:LINE: what is wrong — what to do. Exits 2 when there is one."
    )

    @Argument(help: "The configuration file.")
    var file: String = "vigil.yml"

    func run() throws {
        do {
            let configuration = try ConfigurationLoader.load(contentsOf: file)
            let monitors = configuration.monitors.count
            let targets = configuration.notify.count
            print("\(file): OK — \(monitors) monitor\(monitors == 1 ? "" : "s"), "
                + "\(targets) notify target\(targets == 1 ? "" : "s"), listening on \(configuration.listen)")
        } catch {
            complainLines(error.description)
            throw ExitCode(ExitStatus.configuration)
        }
    }

    private func complainLines(_ text: String) {
        for line in text.split(separator: "\n") { printError(String(line)) }
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
