/// Every mistake found in a configuration file, each with the line it is on and what to do about it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// One mistake: `vigil.yml:14: monitor "nightly-backup": grace "5x" is not a duration (try 5m, 2h or 1h30m)`.
    public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
        /// The file as the user named it.
        public var fileName: String
        /// The 1-based line, or `nil` when the mistake is about the whole file (it cannot be read).
        public var line: Int?
        /// What is wrong and what to do, in the user's words, never Swift's.
        public var message: String

        public init(fileName: String, line: Int?, message: String) {
            self.fileName = fileName
            self.line = line
            self.message = message
        }

        /// `FILE:LINE: message`, or `FILE: message` without a line.
        public var description: String {
            if let line { "\(fileName):\(line): \(message)" } else { "\(fileName): \(message)" }
        }
    }

    /// All mistakes found, in file order.
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One line per diagnostic.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
