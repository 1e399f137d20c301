import Foundation

/// A recovery step, declared only in the configuration file.
public struct Action: Sendable, Hashable {
    public var name: String
    public var kind: ActionKind
    /// Capabilities that must be available for the action to be worth running.
    public var requires: [String]
    /// Smaller is cheaper; the planner tries cheaper actions first. Default 1.
    public var cost: Double
    /// How long the action may take; a command is killed with its whole process group after it. Default 60 s.
    public var timeout: TimeInterval

    public init(name: String, kind: ActionKind, requires: [String] = [], cost: Double = 1, timeout: TimeInterval = 60) {
        self.name = name
        self.kind = kind
        self.requires = requires
        self.cost = cost
        self.timeout = timeout
    }
}

public enum ActionKind: Sendable, Hashable {
    case run(CommandSpec)
    case http(HTTPRequestSpec)
    /// Pauses another monitor (by slug).
    case pause(monitor: String)
    /// Resumes another monitor (by slug).
    case resume(monitor: String)
    /// Sends a notice through the escalation channels.
    case notify(message: String)
}

/// A process to run: argv, or a shell line only when `shell` is set.
public struct CommandSpec: Sendable, Hashable {
    public var argv: [String]
    /// Run `argv[0]` with `/bin/sh -c`; default false.
    public var shell: Bool
    public var workingDirectory: String?
    /// Added to Vigil's own environment.
    public var environment: [String: String]
    /// The most bytes of output kept; default 64 kB.
    public var outputLimit: Int

    public init(
        argv: [String],
        shell: Bool = false,
        workingDirectory: String? = nil,
        environment: [String: String] = [:],
        outputLimit: Int = 65_536
    ) {
        self.argv = argv
        self.shell = shell
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.outputLimit = outputLimit
    }
}

/// An HTTP request to make; it succeeds when the status is in `expect`.
public struct HTTPRequestSpec: Sendable, Hashable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: String?
    /// Default 200...299.
    public var expect: ClosedRange<Int>

    public init(
        method: String = "POST",
        url: URL,
        headers: [String: String] = [:],
        body: String? = nil,
        expect: ClosedRange<Int> = 200...299
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.expect = expect
    }
}

/// What came of running an action.
public struct ActionOutcome: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case succeeded
        case failed
        case timedOut = "timed_out"
    }

    public var status: Status
    /// Exit status for a command, HTTP status for a request.
    public var code: Int?
    /// The end of the output (bounded), or the response body, or the error.
    public var output: String
    public var startedAt: Date
    public var finishedAt: Date

    public init(status: Status, code: Int?, output: String, startedAt: Date, finishedAt: Date) {
        self.status = status
        self.code = code
        self.output = output
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
