import Foundation

/// What a signal says: the healthchecks.io kinds (`start`, `success`, `fail`, `log`, `exit:N`) or a typed kind.
public struct SignalKind: Sendable, Hashable, Codable, CustomStringConvertible, RawRepresentable {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let start = SignalKind(rawValue: "start")
    public static let success = SignalKind(rawValue: "success")
    public static let fail = SignalKind(rawValue: "fail")
    public static let log = SignalKind(rawValue: "log")

    /// The kind of a run's end with an exit status; 0 is a success, anything else a failure.
    public static func exit(_ status: Int) -> SignalKind {
        status == 0 ? .success : SignalKind(rawValue: "exit:\(status)")
    }

    /// The kinds that the ping API names with a path suffix; typed signals may not use these names.
    public static let reserved: Set<String> = ["start", "success", "fail", "log"]

    /// The exit status a `fail`-like kind carries: `exit:N` gives N.
    public var exitStatus: Int? {
        guard rawValue.hasPrefix("exit:") else { return nil }
        return Int(rawValue.dropFirst(5))
    }

    /// An explicit failure: `fail` or a non-zero exit status.
    public var isFailure: Bool { self == .fail || (exitStatus.map { $0 != 0 } ?? false) }

    /// A kind that ends a started run.
    public var endsRun: Bool { self == .success || isFailure }

    /// True when `text` may name a typed signal: `[a-z0-9][a-z0-9._:-]{0,63}` and not reserved.
    public static func isValidTypedName(_ text: String) -> Bool {
        guard !reserved.contains(text), !text.hasPrefix("exit:"), (1...64).contains(text.utf8.count) else { return false }
        for (index, byte) in text.utf8.enumerated() {
            let isLower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let isPunct = byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ":")
            if !(isLower || isDigit || (index > 0 && isPunct)) { return false }
        }
        return true
    }

    public var description: String { rawValue }
}

/// One event for a monitor.
public struct Signal: Sendable, Hashable {
    public var kind: SignalKind
    public var at: Date
    /// A measured value: a counter, an offset, a score.
    public var value: Double?
    /// Groups a start with its end, as healthchecks.io's `rid` does.
    public var runID: UUID?
    /// The request body, already cut to the configured limit.
    public var body: String?
    /// Who sent it: the remote address and, when known, the user agent.
    public var source: String?

    public init(
        kind: SignalKind,
        at: Date,
        value: Double? = nil,
        runID: UUID? = nil,
        body: String? = nil,
        source: String? = nil
    ) {
        self.kind = kind
        self.at = at
        self.value = value
        self.runID = runID
        self.body = body
        self.source = source
    }
}
