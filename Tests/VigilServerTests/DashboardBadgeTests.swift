import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilEngine
@testable import VigilServer

/// Signed status badges per monitor, per tag and for everything, as SVG and JSON.
@Suite struct DashboardBadgeTests {
    let signer = BadgeSigner(secret: DashboardHarness.secret)

    @Test func theSignatureIsTheFirstSixteenHexDigitsOfHMACSHA256() {
        // RFC 4231, test case 2.
        let rfc = BadgeSigner(secret: Array("Jefe".utf8))
        #expect(rfc.signature(for: "what do ya want for nothing?") == "5bdcc146bf60754e")
        let sig = signer.signature(for: "monitor:agent")
        #expect(sig.count == 16 && sig.allSatisfy(\.isHexDigit))
        #expect(sig != signer.signature(for: "monitor:backup"))
        #expect(sig != BadgeSigner(secret: Array("another".utf8)).signature(for: "monitor:agent"))
    }

    @Test func pathsNameTheKindAndFormatAndKeepATagInOneSegment() {
        #expect(signer.path(monitor: "agent", format: "svg")
            == "/badge/\(signer.signature(for: "monitor:agent"))/monitor/agent.svg")
        #expect(signer.path(tag: "prod", format: "json") == "/badge/\(signer.signature(for: "tag:prod"))/tag/prod.json")
        #expect(signer.path(tag: "a b/c", format: "svg").hasSuffix("/tag/a%20b%2Fc.svg"))
        #expect(signer.allPath(format: "svg") == "/badge/\(signer.signature(for: "all"))/all.svg")
    }

    @Test func theBadgeIsTheWorstStateOfTheMonitorsItCovers() {
        #expect(Badge.Status([.up, .late, .up]) == .late)
        #expect(Badge.Status([.up, .stalled, .late]) == .down)
        #expect(Badge.Status([.failing]) == .down)
        #expect(Badge.Status([.recovering, .up]) == .down)
        #expect(Badge.Status([.up, .paused, .new]) == .up)
        #expect(Badge.Status([.paused, .paused]) == .paused)
        #expect(Badge.Status([.new, .paused]) == .new)
        #expect(Badge.Status([]) == .none)
    }

    @Test func badgesAnswerPerMonitorTagAndAllAsSVGAndJSON() async throws {
        try await DashboardHarness.test { _, client in
            let (agent, agentSVG) = try await DashboardHarness.get(client, signer.path(monitor: "agent", format: "svg"))
            #expect(agent.headers[.contentType] == "image/svg+xml")
            #expect(agent.headers[.cacheControl] == "no-cache")
            #expect(agentSVG.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(agentSVG.contains("<title>agent: down</title>"))
            #expect(agentSVG.contains("fill=\"#c62828\""))
            let (_, backupSVG) = try await DashboardHarness.get(client, signer.path(monitor: "backup", format: "svg"))
            #expect(backupSVG.contains("<title>backup: up</title>"))
            let (_, freshSVG) = try await DashboardHarness.get(client, signer.path(monitor: "fresh", format: "svg"))
            #expect(freshSVG.contains("<title>fresh: new</title>"))

            let (_, bots) = try await DashboardHarness.get(client, signer.path(tag: "bots", format: "svg"))
            #expect(bots.contains("<title>bots: down</title>"))
            let (_, prodJSON) = try await DashboardHarness.get(client, signer.path(tag: "prod", format: "json"))
            let prod = try #require(try JSONSerialization.jsonObject(with: Data(prodJSON.utf8)) as? [String: Any])
            #expect(prod["status"] as? String == "up")
            #expect(prod["total"] as? Int == 1)
            #expect(prod["schemaVersion"] as? Int == 1)
            #expect(prod["message"] as? String == "up")
            // A tag with characters that are markup stays text in the SVG.
            let (_, hostile) = try await DashboardHarness.get(
                client, signer.path(tag: DashboardHarness.hostileTag, format: "svg"))
            #expect(hostile.contains("a&amp;b&lt;i&gt;"))
            #expect(!hostile.contains("<i>"))

            let (all, allJSON) = try await DashboardHarness.get(client, signer.allPath(format: "json"))
            #expect(all.headers[.contentType] == "application/json")
            let everything = try #require(try JSONSerialization.jsonObject(with: Data(allJSON.utf8)) as? [String: Any])
            #expect(everything["status"] as? String == "down")
            #expect(everything["total"] as? Int == 3)
            #expect(everything["down"] as? Int == 1)
        }
    }

    @Test func aWrongSignatureUnknownMonitorOrFormatIsNotFoundAndAnUnchangedBadgeIsNotModified() async throws {
        try await DashboardHarness.test { _, client in
            let backupSignature = signer.signature(for: "monitor:backup")
            let (_, forged) = try await DashboardHarness.get(
                client, "/badge/\(backupSignature)/monitor/agent.svg", expect: .notFound)
            #expect(forged.contains("no such badge"))
            _ = try await DashboardHarness.get(client, "/badge/0000000000000000/all.svg", expect: .notFound)
            _ = try await DashboardHarness.get(client, signer.path(monitor: "ghost", format: "svg"), expect: .notFound)
            _ = try await DashboardHarness.get(client, signer.path(tag: "nobody", format: "svg"), expect: .notFound)
            let (_, png) = try await DashboardHarness.get(
                client, signer.path(monitor: "agent", format: "png"), expect: .notFound)
            #expect(png.contains(".svg or .json"))

            let path = signer.path(monitor: "agent", format: "svg")
            let (first, _) = try await DashboardHarness.get(client, path)
            let etag = try #require(first.headers[.eTag])
            let again = try await client.execute(uri: path, method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
        }
    }

    @Test func badgesStayPublicWhenAccessIsRequired() async throws {
        let gate = Gate(settings: AccessSettings(required: true), store: nil)
        try await DashboardHarness.test(gate: gate) { _, client in
            let (_, svg) = try await DashboardHarness.get(client, signer.allPath(format: "svg"))
            #expect(svg.contains("<title>vigil: down</title>"))
        }
    }
}
