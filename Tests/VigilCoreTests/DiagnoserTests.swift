import Foundation
import Testing

@testable import VigilCore

@Suite("Diagnoser")
struct DiagnoserTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func capabilities(_ needs: [String: [String]]) -> [String: Capability] {
        Dictionary(uniqueKeysWithValues: needs.map { name, parents in
            (name, Capability(name: name, probe: .command(argv: ["./probes/\(name).sh"], timeout: 5), needs: parents))
        })
    }

    func results(_ statuses: [String: (ProbeResult.Status, String)]) -> [String: ProbeResult] {
        Dictionary(uniqueKeysWithValues: statuses.map { name, found in
            (name, ProbeResult(capability: name, status: found.0, reason: found.1, checkedAt: now))
        })
    }

    @Test("the essay's morning: two blocked credentials, one available capability")
    func blockedAndAvailable() {
        let declared = capabilities(["x-api": [], "reddit-session": [], "content-creation": []])
        let found = results([
            "x-api": (.blocked, "token expired"),
            "reddit-session": (.blocked, "session cookie rejected"),
            "content-creation": (.available, "disk has room"),
        ])
        let diagnosis = Diagnoser.diagnose(
            ["x-api", "reddit-session", "content-creation"], capabilities: declared, results: found, at: now)

        #expect(diagnosis.blocked == [
            .init(capability: "reddit-session", reason: "session cookie rejected", blockedBy: nil),
            .init(capability: "x-api", reason: "token expired", blockedBy: nil),
        ])
        #expect(diagnosis.available == ["content-creation"])
        #expect(diagnosis.rootCauses == ["reddit-session", "x-api"])
        #expect(diagnosis.warnings.isEmpty)
        #expect(diagnosis.at == now)
        #expect(diagnosis.isAvailable("content-creation"))
        #expect(!diagnosis.isAvailable("x-api"))
        #expect(
            diagnosis.summary
                == "blocked: reddit-session (session cookie rejected), x-api (token expired);"
                + " available: content-creation"
        )
    }

    @Test("a child whose own probe passed is blocked by its blocked parent, which alone is the root cause")
    func childOfBlockedParent() {
        let declared = capabilities(["network": [], "x-api": ["network"], "content-creation": []])
        let found = results([
            "network": (.blocked, "no route to host"),
            "x-api": (.available, "token valid until 2027-01-31"),
            "content-creation": (.available, "ok"),
        ])
        let diagnosis = Diagnoser.diagnose(
            ["x-api", "content-creation"], capabilities: declared, results: found, at: now)

        #expect(diagnosis.blocked == [
            .init(capability: "network", reason: "no route to host", blockedBy: nil),
            .init(capability: "x-api", reason: "needs network", blockedBy: "network"),
        ])
        #expect(!diagnosis.isAvailable("x-api"))
        #expect(diagnosis.available == ["content-creation"])
        #expect(diagnosis.rootCauses == ["network"])
        #expect(
            diagnosis.summary == "blocked: network (no route to host), x-api (by network); available: content-creation")
    }

    @Test("a child that failed its own probe keeps its reason but is still explained by the blocked parent")
    func childBlockedTwice() {
        let declared = capabilities(["network": [], "x-api": ["network"]])
        let found = results(["network": (.blocked, "no route to host"), "x-api": (.blocked, "timed out after 5s")])
        let diagnosis = Diagnoser.diagnose(["x-api"], capabilities: declared, results: found, at: now)

        #expect(diagnosis.blocked.first { $0.capability == "x-api" }
            == .init(capability: "x-api", reason: "timed out after 5s", blockedBy: "network"))
        #expect(diagnosis.rootCauses == ["network"])
    }

    @Test("a child that was not probed is blocked by its blocked parent; unprobed and unexplained it is neither")
    func unprobedChild() {
        let declared = capabilities(["network": [], "x-api": ["network"], "metrics": []])
        let found = results(["network": (.blocked, "no route to host")])
        let diagnosis = Diagnoser.diagnose(["x-api", "metrics"], capabilities: declared, results: found, at: now)

        #expect(diagnosis.blocked.map(\.capability) == ["network", "x-api"])
        #expect(diagnosis.blocked.last?.blockedBy == "network")
        #expect(diagnosis.available.isEmpty)
        #expect(!diagnosis.isAvailable("metrics"))
    }

    @Test("in a chain only the topmost blocked ancestor is a root cause; everything below is blocked by it")
    func grandparentChain() {
        let declared = capabilities(["network": [], "vpn": ["network"], "x-api": ["vpn"]])
        let found = results([
            "network": (.blocked, "link down"),
            "vpn": (.blocked, "tunnel down"),
            "x-api": (.available, "ok"),
        ])
        let diagnosis = Diagnoser.diagnose(["x-api"], capabilities: declared, results: found, at: now)

        #expect(diagnosis.rootCauses == ["network"])
        #expect(diagnosis.blocked == [
            .init(capability: "network", reason: "link down", blockedBy: nil),
            .init(capability: "vpn", reason: "tunnel down", blockedBy: "network"),
            .init(capability: "x-api", reason: "needs network", blockedBy: "network"),
        ])
        #expect(diagnosis.available.isEmpty)
    }

    @Test("a blocked parent under an available grandparent is the root cause of its children")
    func blockedInTheMiddle() {
        let declared = capabilities(["network": [], "vpn": ["network"], "x-api": ["vpn"]])
        let found = results([
            "network": (.available, "ok"),
            "vpn": (.blocked, "tunnel down"),
            "x-api": (.available, "ok"),
        ])
        let diagnosis = Diagnoser.diagnose(["x-api"], capabilities: declared, results: found, at: now)

        #expect(diagnosis.rootCauses == ["vpn"])
        #expect(diagnosis.blocked == [
            .init(capability: "vpn", reason: "tunnel down", blockedBy: nil),
            .init(capability: "x-api", reason: "needs vpn", blockedBy: "vpn"),
        ])
        #expect(diagnosis.available == ["network"])
        #expect(diagnosis.summary == "blocked: vpn (tunnel down), x-api (by vpn); available: network")
    }

    @Test("the diagnosis covers what was asked and everything it needs, transitively, and nothing else")
    func closureOfNeeds() {
        let declared = capabilities([
            "network": [], "vpn": ["network"], "x-api": ["vpn"], "dns": [], "reddit-session": ["dns"],
        ])
        #expect(Diagnoser.closure(of: ["x-api"], in: declared) == ["network", "vpn", "x-api"])
        #expect(Diagnoser.closure(of: ["x-api", "reddit-session"], in: declared)
            == ["dns", "network", "reddit-session", "vpn", "x-api"])
        #expect(Diagnoser.closure(of: [], in: declared).isEmpty)

        let found = results([
            "network": (.available, "ok"), "vpn": (.available, "ok"), "x-api": (.available, "ok"),
            "dns": (.blocked, "resolver down"), "reddit-session": (.available, "ok"),
        ])
        let diagnosis = Diagnoser.diagnose(["x-api"], capabilities: declared, results: found, at: now)
        #expect(diagnosis.available == ["network", "vpn", "x-api"])
        #expect(diagnosis.blocked.isEmpty, "dns is not needed by x-api")
        #expect(diagnosis.summary == "available: network, vpn, x-api")
    }

    @Test("a cycle in needs does not hang the diagnosis")
    func cycle() {
        let declared = capabilities(["a": ["b"], "b": ["a"]])
        let found = results(["a": (.available, "ok"), "b": (.available, "ok")])
        let diagnosis = Diagnoser.diagnose(["a"], capabilities: declared, results: found, at: now)
        #expect(diagnosis.available == ["a", "b"])
        #expect(Diagnoser.closure(of: ["a"], in: declared) == ["a", "b"])
    }

    @Test("a capability near its expiry is available, with the probe's words as a warning")
    func expiringIsAWarning() {
        let declared = capabilities(["x-api": [], "tls-cert": []])
        let found = results([
            "x-api": (.expiring, "expires in 2 days (2027-01-31)"),
            "tls-cert": (.available, "expires in 80 days"),
        ])
        let diagnosis = Diagnoser.diagnose(["x-api", "tls-cert"], capabilities: declared, results: found, at: now)

        #expect(diagnosis.available == ["tls-cert", "x-api"])
        #expect(diagnosis.isAvailable("x-api"))
        #expect(diagnosis.blocked.isEmpty)
        #expect(diagnosis.rootCauses.isEmpty)
        #expect(diagnosis.warnings == ["x-api": "expires in 2 days (2027-01-31)"])
    }

    @Test("an expiring child of a blocked parent is blocked, not a warning")
    func expiringChildOfBlockedParent() {
        let declared = capabilities(["network": [], "x-api": ["network"]])
        let found = results(["network": (.blocked, "link down"), "x-api": (.expiring, "expires tomorrow")])
        let diagnosis = Diagnoser.diagnose(["x-api"], capabilities: declared, results: found, at: now)
        #expect(diagnosis.warnings.isEmpty)
        #expect(diagnosis.blocked.map(\.capability) == ["network", "x-api"])
    }

    @Test("with no capabilities the summary says there is nothing to diagnose")
    func emptySummary() {
        let diagnosis = Diagnoser.diagnose([], capabilities: [:], results: [:], at: now)
        #expect(diagnosis.blocked.isEmpty && diagnosis.available.isEmpty && diagnosis.rootCauses.isEmpty)
        #expect(diagnosis.summary == "nothing to diagnose: no capabilities declared")
    }

    @Test("a summary with only blocked capabilities names each with its reason")
    func blockedOnlySummary() {
        let declared = capabilities(["x-api": []])
        let found = results(["x-api": (.blocked, "HTTP 401")])
        let diagnosis = Diagnoser.diagnose(["x-api"], capabilities: declared, results: found, at: now)
        #expect(diagnosis.summary == "blocked: x-api (HTTP 401)")
    }
}
