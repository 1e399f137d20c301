import Foundation

/// What a finished process left behind.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs programs as a user would, with output captured in files so that no pipe can fill up and block.
enum Command {
    /// The `vigil` binary that `swift build` put beside this test bundle.
    static let vigilBinary: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("vigil")
    }()

    /// Runs `executable` to its end.
    static func run(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String] = [:],
        in directory: URL? = nil
    ) async throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let err = folder.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Outcome(
            status: status,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        )
    }

    static func vigil(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil)
        async throws -> Outcome
    {
        try await run(vigilBinary, arguments, environment: environment, in: directory)
    }

    static func curl(_ arguments: [String]) async throws -> Outcome {
        try await run(URL(fileURLWithPath: "/usr/bin/curl"), ["--silent", "--show-error"] + arguments)
    }
}

/// Waits for `condition` by checking it every 50 ms; fails after `limit` so a broken build cannot hang the suite.
func eventually(
    within limit: Duration = .seconds(120),
    _ what: String,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("\(what) did not happen within \(limit)")
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
