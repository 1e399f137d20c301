import ArgumentParser
import Foundation

/// Exit codes, as `vigil --help` documents them.
enum ExitStatus {
    static let refused: Int32 = 1
    static let usage: Int32 = 2
    static let unreachable: Int32 = 3
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
