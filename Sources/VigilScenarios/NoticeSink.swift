import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import VigilEngine

/// A webhook receiver on a loopback port that keeps every notice Vigil sends to `/hook`, to count what reached a
/// person.
final class NoticeSink: Sendable {
    private let notices = Mutex<[NoticePayload]>([])
    private let portBox = Mutex<Int?>(nil)
    private let group = Mutex<ServiceGroup?>(nil)

    var received: [NoticePayload] { notices.withLock { $0 } }
    var url: String { "http://127.0.0.1:\(portBox.withLock { $0 } ?? 0)/hook" }

    /// Starts listening on a free port; returns once it listens.
    func start() async throws(ScenarioError) {
        let router = Router()
        router.post("/hook") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            // A notice that is not Vigil's JSON still reached someone; it is kept as an unknown event.
            let payload = (try? VigilJSON.decoder.decode(NoticePayload.self, from: Data(buffer: body)))
                ?? NoticePayload(event: "unknown", monitor: "", monitorID: "", oldState: "", newState: "", at: Date(),
                                 noticedAt: Date(), reason: String(buffer: body), pingURL: "")
            self.notices.withLock { $0.append(payload) }
            return HTTPResponse.Status.ok
        }
        var logger = Logger(label: "vigil.scenarios.sink")
        logger.logLevel = .error
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.portBox.withLock { $0 = channel.localAddress?.port } },
            logger: logger
        )
        let services = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: logger)
        group.withLock { $0 = services }
        Task { try? await services.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while portBox.withLock({ $0 }) == nil {
            guard ContinuousClock.now < deadline else { throw ScenarioError("the notice receiver did not start listening") }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops listening, gracefully.
    func stop() async {
        await group.withLock { $0 }?.triggerGracefulShutdown()
    }
}
