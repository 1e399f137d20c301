import Foundation
import Testing
import VigilCore

@testable import VigilEngine

struct LearningConfigurationTests {
    func load(_ monitor: String) throws -> MonitorDeclaration {
        let text = "monitors:\n  agent:\n" + monitor.split(separator: "\n").map { "    \($0)\n" }.joined()
        return try #require(try ConfigurationLoader.parse(text, fileName: "vigil.yml").monitors.first)
    }

    func mistakes(_ monitor: String) -> [String] {
        let text = "monitors:\n  agent:\n" + monitor.split(separator: "\n").map { "    \($0)\n" }.joined()
        do {
            _ = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
            Issue.record("expected mistakes")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func calibrationIsOffUnlessAsked() throws {
        #expect(try load("every: 1h").calibrate == .off)
        #expect(try load("every: 1h\ncalibrate: suggest").calibrate == .suggest)
        #expect(try load("every: 1h\ncalibrate: auto").calibrate == .auto)
        #expect(try load("every: 1h\ncalibrate: off").calibrate == .off)
    }

    @Test func forecastRulesReadRiskAsAShareOrAPercentage() throws {
        let declaration = try load("""
            every: 1h
            forecast:
              - risk: 60%
                warn: engagement dropping
              - risk: 0.25
                warn: "pre-position an easy win"
            """)
        #expect(declaration.forecast == [
            ForecastRule(risk: 0.6, response: .warn("engagement dropping")),
            ForecastRule(risk: 0.25, response: .warn("pre-position an easy win")),
        ])
    }

    @Test func mistakesNameTheLineAndWhatToDo() {
        #expect(mistakes("every: 1h\ncalibrate: always") == [
            "vigil.yml:4: monitor \"agent\": calibrate \"always\" is not known — use off, suggest or auto",
        ])
        #expect(mistakes("schedule: \"0 3 * * *\"\ncalibrate: auto") == [
            "vigil.yml:4: monitor \"agent\": calibrate: auto needs every: — a cron schedule already says when progress"
                + " is due; use calibrate: suggest to see what its history would give",
        ])
        #expect(mistakes("every: 1h\nforecast:\n  - risk: 150%\n    warn: x") == [
            "vigil.yml:5: monitor \"agent\": forecast rule 1: risk \"150%\" is not a probability between 0 and 1"
                + " — e.g. 60% or 0.6",
        ])
        #expect(mistakes("every: 1h\nforecast:\n  - risk: 50%\n    action: restart") == [
            "vigil.yml:6: monitor \"agent\": forecast rule 1: action names action \"restart\", which is not declared"
                + " — declare it under actions: or fix the name",
        ])
        #expect(mistakes("every: 1h\nforecast:\n  - risk: 50%") == [
            "vigil.yml:5: monitor \"agent\": forecast rule 1: has no warn: or action: — e.g. warn: \"commits are"
                + " slowing down\" or action: write-article",
        ])
        #expect(mistakes("every: 1h\nforecast:\n  - warn: x") == [
            "vigil.yml:5: monitor \"agent\": forecast rule 1: has no risk: or drop: — e.g. risk: 60% or drop: engagement",
        ])
        #expect(mistakes("every: 1h\nforecast:\n  - drop: Engagement!\n    warn: x") == [
            "vigil.yml:5: monitor \"agent\": forecast rule 1: drop \"Engagement!\" is not a signal kind"
                + " — e.g. drop: engagement",
        ])
        #expect(mistakes("every: 1h\nforecast:\n  - risk: 50%\n    drop: engagement\n    warn: x") == [
            "vigil.yml:6: monitor \"agent\": forecast rule 1: has both risk: and drop: — give each its own rule",
        ])
    }

    static let withActions = """
        actions:
          write-article:
            run: [./actions/write-article.sh]
        monitors:
          agent:
            every: 1h
            forecast:
              - risk: 60%
                action: write-article
              - risk: 0.8
                warn: stall likely
                action: write-article
              - drop: engagement
                warn: engagement dropping
              - drop: engagement
                action: write-article

        """

    @Test func forecastRulesRunDeclaredActionsAndWatchDrops() throws {
        let configuration = try ConfigurationLoader.parse(Self.withActions, fileName: "vigil.yml")
        let agent = try #require(configuration.monitors.first)
        #expect(agent.forecast == [
            ForecastRule(risk: 0.6, response: .run(action: "write-article")),
            ForecastRule(trigger: .risk(0.8), responses: [.warn("stall likely"), .run(action: "write-article")]),
            ForecastRule(trigger: .drop(kind: "engagement"), responses: [.warn("engagement dropping")]),
            ForecastRule(trigger: .drop(kind: "engagement"), responses: [.run(action: "write-article")]),
        ])
    }

    @Test func anUndeclaredForecastActionIsReportedOnItsLine() {
        let text = Self.withActions.replacingOccurrences(of: "action: write-article\n    ", with: "action: write-artcle\n    ")
        do {
            _ = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
            Issue.record("expected mistakes")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "vigil.yml:9: monitor \"agent\": forecast rule 1: action names action \"write-artcle\", which is not"
                    + " declared — did you mean \"write-article\"?",
                "vigil.yml:12: monitor \"agent\": forecast rule 2: action names action \"write-artcle\", which is not"
                    + " declared — did you mean \"write-article\"?",
            ])
        }
    }
}
