import ArgumentParser
import Foundation

/// Exit codes, as `vigil --help` documents them.
enum ExitStatus {
    static let refused: Int32 = 1
    /// The configuration file has a mistake, or the server could not start with it.
    static let configuration: Int32 = 2
    static let unreachable: Int32 = 3
    /// The command line has a mistake; the same code ArgumentParser uses for its own checks (EX_USAGE).
    static let commandLine: Int32 = 64
}

/// Prints a message for the user on standard error, prefixed with `vigil:`.
func complain(_ message: String) {
    FileHandle.standardError.write(Data("vigil: \(message)\n".utf8))
}

/// Ends the command with a message and an exit code, without ArgumentParser's usage text.
func failure(_ message: String, status: Int32) -> ExitCode {
    complain(message)
    return ExitCode(status)
}
