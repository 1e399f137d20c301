import Foundation
import Testing
import VigilEngine
import VigilServer

/// What a recovery attempt shows when progress resolves its incident before the action has finished.
@Suite struct RecoveryOutcomeTests {
    @Test func anActionThatOutlivesItsIncidentKeepsItsOutcome() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-outlive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let key = "7d0c6a52-0000-4000-8000-00000000a11e"
        let portFile = scratch.appendingPathComponent("port")
        let release = scratch.appendingPathComponent("release")
        // The action makes progress, then waits (at most 60 s) until the test has seen the incident resolved.
        let action = scratch.appendingPathComponent("publish.sh")
        try """
            #!/bin/sh
            curl -s -o /dev/null "http://127.0.0.1:$(cat \(portFile.path))/ping/\(key)/signal/post.published"
            i=0
            while [ ! -e \(release.path) ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
            echo published
            """.write(to: action, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: action.path)
        let server = try ServerProcess(config: """
            monitors:
              worker:
                key: \(key)
                every: 2s
                grace: 1s
                progress: [post.published]
                recovery:
                  actions: [publish]
                  verify_within: 60s
            actions:
              publish:
                run: [\(action.path)]
                timeout: 90s
            """)
        try "\(server.port)".write(to: portFile, atomically: true, encoding: .utf8)
        try await server.start()
        defer { server.stop() }
        let env = ["VIGIL_URL": server.url, "VIGIL_API_KEY": server.apiKey]
        // Progress once, so that the worker has a deadline.
        _ = try await Command.curl(["--fail", "\(server.url)/ping/\(key)/signal/post.published"])

        // The worker stalls, the action runs and publishes: progress resolves the incident while it still runs.
        var incident: IncidentView?
        try await eventually("the incident resolved by the action's progress") {
            let list = try await Command.vigil(["incidents", "--json", "--monitor", "worker"], environment: env)
            incident = try? VigilJSON.decoder.decode([IncidentView].self, from: Data(list.stdout.utf8)).first
            return incident?.resolution == "progress"
        }
        let id = try #require(incident?.id)
        try Data().write(to: release)

        // Once the action has ended, its attempt shows how it ended, not "running".
        var shown = ""
        try await eventually("the attempt's outcome recorded") {
            shown = try await Command.vigil(["incidents", "show", id], environment: env).stdout
            // The attempt's line ends ", recovered" once its final result is written; "attempt.finished" is in the
            // journal once the action has ended.
            return shown.contains("attempt.finished") && shown.contains(", recovered")
        }
        #expect(shown.contains("1. publish: succeeded (0), recovered"), "\(shown)")
    }
}
