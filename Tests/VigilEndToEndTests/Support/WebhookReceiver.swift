import Foundation
import HTTPTypes
import Logging
import Hummingbird
import ServiceLifecycle
import Synchronization
import VigilEngine

/// A real HTTP server on a loopback port that keeps every webhook POSTed to `/hook`.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        var idempotencyKey: String?
        var payload: NoticePayload
    }

    private let deliveries = Mutex<[Delivery]>([])
    private let portBox = Mutex<Int?>(nil)
    private let group = Mutex<ServiceGroup?>(nil)

    var port: Int { portBox.withLock { $0 } ?? 0 }
    var received: [Delivery] { deliveries.withLock { $0 } }

    /// Starts listening on `port` (0: any free one).
    func start(port: Int = 0) async throws {
        let router = Router()
        router.post("/hook") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            let payload = try VigilJSON.decoder.decode(NoticePayload.self, from: Data(buffer: body))
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            self.deliveries.withLock { $0.append(Delivery(idempotencyKey: key, payload: payload)) }
            return HTTPResponse.Status.ok
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in self.portBox.withLock { $0 = channel.localAddress?.port } }
        )
        let services = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "webhook-receiver"))
        group.withLock { $0 = services }
        Task { try await services.run() }
        try await eventually("the webhook receiver listening") { self.port != 0 }
    }

    /// Shuts the server down gracefully: cancelling it mid-connection can trip SwiftNIO's writer checks.
    func stop() async {
        let services = group.withLock { $0 }
        await services?.triggerGracefulShutdown()
    }
}
