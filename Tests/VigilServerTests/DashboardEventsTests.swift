import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilEngine
import VigilStore

@testable import VigilServer

/// `/events` over a real loopback socket: the transport is the point, so these tests use `.live`.
@Suite(.timeLimit(.minutes(3))) struct DashboardEventsTests {
    static func liveApplication(_ router: Router<VigilRequestContext>) -> some ApplicationProtocol {
        Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static let request = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"

    @Test func aClientGetsTheSnapshotThenEachStepAndJournalLineAndTheStreamEndsAtShutdown() async throws {
        let harness = try await DashboardHarness.start()
        defer { try? FileManager.default.removeItem(at: harness.directory) }
        let router = buildRouter(
            engine: harness.engine, recovery: harness.recovery, pingBodyLimit: 1_000, gate: .open,
            badgeSecret: DashboardHarness.secret)
        let socket = try await Self.liveApplication(router).test(.live) { client in
            let socket = try EventSocket(port: try #require(client.port))
            try socket.send(Self.request)
            let head = try await socket.read(through: "event: snapshot\ndata: ")
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(head.lowercased().contains("content-type: text/event-stream"))
            #expect(head.lowercased().contains("cache-control: no-store"))
            #expect(head.contains("retry: 3000"))
            let snapshot = try await socket.read(through: "\n\n")
            #expect(snapshot.contains("\"slug\":\"agent\""))
            #expect(snapshot.contains("\"state\":\"stalled\""))

            // A ping: one `monitor` event with the monitor's new view and the signal.
            let fresh = try #require(harness.engine.snapshot(slugOrKey: "fresh")).monitor
            _ = try await harness.engine.receive(Signal(kind: .success, at: harness.now), for: .key(fresh.key))
            _ = try await socket.read(through: "event: monitor\ndata: ")
            let step = try await socket.read(through: "\n\n")
            #expect(step.contains("\"slug\":\"fresh\""))
            #expect(step.contains("\"state\":\"up\""))
            #expect(step.contains("\"kind\":\"success\",\"progress\":true"))
            #expect(step.contains("\"from\":\"new\""))

            // A journal line besides a status change, as recovery writes them.
            let agent = try #require(harness.engine.snapshot(slugOrKey: "agent")).monitor
            await harness.engine.journal([JournalRecord(
                monitorID: agent.id, event: .diagnosis, at: harness.now, incidentID: harness.incident.id,
                detail: "blocked: x-api")])
            _ = try await socket.read(through: "event: journal\ndata: ")
            let line = try await socket.read(through: "\n\n")
            #expect(line.contains("\"detail\":\"blocked: x-api\""))
            #expect(line.contains("\"event\":\"diagnosis\""))
            // Leave the stream open: shutting the server down must end it, not wait for it.
            return socket
        }
        let rest = try await socket.readToEnd()
        #expect(rest.contains("event: bye"))
        // The chunked body ends properly: the client sees a finished response, not a dropped connection.
        #expect(rest.hasSuffix("0\r\n\r\n"))
    }

    @Test func quietStreamsGetKeepAliveCommentsAndAGoneClientIsLetGo() async throws {
        let harness = try await DashboardHarness.start()
        defer { try? FileManager.default.removeItem(at: harness.directory) }
        let controller = DashboardController(
            engine: harness.engine, recovery: nil, badges: BadgeSigner(secret: DashboardHarness.secret),
            keepAlive: .milliseconds(100))
        let router = Router(context: VigilRequestContext.self)
        controller.addRoutes(to: router)
        try await Self.liveApplication(router).test(.live) { client in
            let socket = try EventSocket(port: try #require(client.port))
            try socket.send(Self.request)
            _ = try await socket.read(through: "event: snapshot")
            _ = try await socket.read(through: ": keep-alive\n\n")
            #expect(controller.live.clients.count == 1)
            socket.close()
            // The next keep-alive finds the connection closed and ends the stream and its subscription.
            try await eventually("the stream of a closed connection ends") { controller.live.clients.count == 0 }
        }
    }

    @Test func aSlowClientsMailboxHoldsOneUpdatePerMonitorAndTheNewestJournalLines() throws {
        let mailbox = LiveMailbox()
        let monitor = Monitor(id: UUID(), key: UUID(), slug: "busy", schedule: .every(60), grace: 10)
        let t0 = DashboardHarness.t0
        for index in 0..<10_000 {
            var state = MonitorState(status: .up, since: t0, lastSignalAt: t0 + Double(index))
            state.revision = Int64(index)
            let change = index == 5 ? [Effect.changed(StateChange(
                monitorID: monitor.id, from: .late, to: .up, at: t0, noticedAt: t0, incidentID: nil, reason: "progress"))] : []
            mailbox.post(.step(monitor, ChangeBatch(
                monitorID: monitor.id, state: state, signal: Signal(kind: .log, at: t0 + Double(index)),
                verdict: SignalVerdict(isProgress: false, runDuration: nil), effects: change)))
        }
        for index in 0..<1_000 {
            mailbox.post(.journal(monitor, JournalRecord(
                monitorID: monitor.id, event: .diagnosis, at: t0, incidentID: nil, detail: "line \(index)")))
        }
        let batch = mailbox.take()
        #expect(batch.updates.count == 1)
        let update = try #require(batch.updates.first)
        #expect(update.lastSignal == t0 + 9_999)
        #expect(update.skipped == 9_999)
        #expect(update.changes.map(\.to) == ["up"])
        #expect(batch.journal.count == LiveMailbox.journalLimit)
        #expect(batch.journal.last?.detail == "line 999")
        #expect(batch.dropped == 1_000 - LiveMailbox.journalLimit)
        #expect(mailbox.take().isEmpty)
        let text = LiveEvents.text(of: batch)
        #expect(text.hasPrefix("event: monitor\ndata: {"))
        #expect(text.contains("event: gap\ndata: {\"dropped\":800}\n\n"))
    }
}

/// A raw HTTP client on a non-blocking socket, for reading an event stream as it arrives.
final class EventSocket: @unchecked Sendable {
    private var fd: Int32
    private var pending = ""

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw EventSocketError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { throw EventSocketError("cannot connect to 127.0.0.1:\(port)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno != EAGAIN { throw EventSocketError("send failed: errno \(errno)") }
            sent += max(0, count)
        }
    }

    /// Reads until `marker` has arrived and returns everything up to and including it; a minute at most.
    func read(through marker: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            if let range = pending.range(of: marker) {
                let text = String(pending[..<range.upperBound])
                pending = String(pending[range.upperBound...])
                return text
            }
            guard try await receive(until: deadline) else {
                throw EventSocketError("the stream ended before \(marker.debugDescription); it sent: \(pending)")
            }
        }
    }

    /// Reads until the server closes the connection; a minute at most.
    func readToEnd() async throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await receive(until: deadline) {}
        defer { pending = "" }
        return pending
    }

    /// Appends what arrived; false at the end of the stream.
    private func receive(until deadline: ContinuousClock.Instant) async throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                pending += String(decoding: buffer[..<count], as: UTF8.self)
                return true
            }
            if count == 0 { return false }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { return false }
            guard ContinuousClock.now < deadline else {
                throw EventSocketError("nothing more arrived within a minute; so far: \(pending)")
            }
            // Waiting without blocking a thread that the server's own tasks may need.
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

struct EventSocketError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Waits for `condition`, checking every 20 ms; fails after a minute so that a bug cannot hang the suite.
func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw EventSocketError("\(what) did not happen within a minute")
}
