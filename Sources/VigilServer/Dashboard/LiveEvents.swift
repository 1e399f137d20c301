import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization
import VigilEngine

/// `/events`: server-sent events for the live dashboard.
///
/// A client first gets `snapshot` (every monitor as it stands), then a `monitor` event after each engine step,
/// `journal` for diagnoses and attempts, `gap` when it fell so far behind that journal lines were dropped, and a
/// comment every `keepAlive` so that proxies keep the connection. The stream ends with `bye` at graceful shutdown.
struct LiveEvents: Sendable {
    /// At most this many open streams; more are refused with 503 rather than slow everyone down.
    static let maxClients = 256
    /// Beyond this many monitors the opening snapshot is left out; pages then rely on `monitor` events.
    static let snapshotLimit = 2_000

    let engine: Engine
    let keepAlive: Duration
    let clients = LiveClients()

    func response() throws -> Response {
        guard clients.count < Self.maxClients else {
            throw HTTPError(
                .serviceUnavailable, headers: [.retryAfter: "10"],
                message: "too many live dashboards are open (at most \(Self.maxClients)); close one or retry shortly")
        }
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8",
            .cacheControl: "no-store",
            // Proxies such as nginx would otherwise hold events back in their buffers.
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            await stream(to: &writer)
        })
    }

    private func stream(to writer: inout any ResponseBodyWriter) async {
        clients.enter()
        defer { clients.leave() }
        // Subscribe before the snapshot is taken, so that no step falls between the two.
        let events = engine.events.subscribe()
        let mailbox = LiveMailbox()
        let keepAlive = keepAlive
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await event in events { mailbox.post(event) }
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: keepAlive)
                            mailbox.ring()
                        }
                    }
                    defer { group.cancelAll() }
                    try await writer.write(ByteBuffer(string: opening()))
                    for await _ in mailbox.rings {
                        let batch = mailbox.take()
                        try await writer.write(ByteBuffer(string: batch.isEmpty ? ": keep-alive\n\n" : Self.text(of: batch)))
                    }
                }
            } onGracefulShutdown: {
                mailbox.close()
            }
            try await writer.write(ByteBuffer(string: "event: bye\ndata: {}\n\n"))
            try await writer.finish(nil)
        } catch {
            // The client went away; its subscription ended with the task group.
            mailbox.close()
        }
    }

    /// The reconnection delay, a comment and the snapshot of every monitor.
    private func opening() -> String {
        let snapshots = engine.snapshots()
        let updates = snapshots.count <= Self.snapshotLimit ? snapshots.map(LiveUpdate.init) : []
        return "retry: 3000\n: connected\n\n" + Self.event("snapshot", updates)
    }

    static func text(of batch: LiveMailbox.Batch) -> String {
        var text = ""
        for update in batch.updates { text += event("monitor", update) }
        for line in batch.journal { text += event("journal", line) }
        if batch.dropped > 0 { text += event("gap", ["dropped": batch.dropped]) }
        return text
    }

    /// One event; compact JSON has no line breaks, so it is always one `data:` line.
    static func event(_ name: String, _ value: some Encodable) -> String {
        let data = (try? VigilJSON.encoder.encode(value)) ?? Data("null".utf8)
        return "event: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }
}

/// How many `/events` streams are open.
final class LiveClients: Sendable {
    private let open = Atomic<Int>(0)

    var count: Int { open.load(ordering: .relaxed) }

    func enter() { open.add(1, ordering: .relaxed) }

    func leave() { open.subtract(1, ordering: .relaxed) }
}
