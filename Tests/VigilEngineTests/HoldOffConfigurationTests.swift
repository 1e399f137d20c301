import Foundation
import Testing
import VigilCore

@testable import VigilEngine

@Suite("recovery configuration: hold_off and settle")
struct HoldOffConfigurationTests {
    @Test("hold_off and settle are read as durations and default to zero")
    func readsBoth() throws {
        let configuration = try ConfigurationLoader.parse(
            """
            monitors:
              worker:
                every: 2s
                depends_on: [database]
                recovery:
                  actions: [restart-worker]
                  hold_off: 30s
                  settle: 3s
              other:
                every: 2s
                recovery:
                  actions: [restart-worker]
            capabilities:
              database:
                command: [./probes/db.sh]
            actions:
              restart-worker:
                run: [./actions/restart.sh]
                requires: [database]
            """, fileName: "vigil.yml")
        let worker = try #require(configuration.monitors.first { $0.slug == "worker" }?.recovery)
        #expect(worker.holdOff == 30)
        #expect(worker.settle == 3)
        let other = try #require(configuration.monitors.first { $0.slug == "other" }?.recovery)
        #expect(other.holdOff == 0)
        #expect(other.settle == 0)
    }

    @Test("a hold_off that is not a duration is reported on its line")
    func badHoldOff() {
        do {
            _ = try ConfigurationLoader.parse(
                """
                monitors:
                  worker:
                    every: 2s
                    recovery:
                      actions: [restart-worker]
                      hold_off: a while
                actions:
                  restart-worker:
                    run: [./actions/restart.sh]
                """, fileName: "vigil.yml")
            Issue.record("a hold_off of \"a while\" was accepted")
        } catch {
            let found = error.diagnostics.map(\.description)
            #expect(found.count == 1, "\(found)")
            #expect(found.first?.hasPrefix(#"vigil.yml:6: monitor "worker": recovery: hold_off "a while" is not a duration"#)
                == true, "\(found)")
        }
    }
}
