import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A real HTTP server on a loopback port that keeps every request POSTed to it, for the notification channels.
final class HTTPReceiver: Sendable {
    struct Request: Sendable {
        var path: String
        var headers: [String: String]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var idempotencyKey: String? { headers["idempotency-key"] }
    }

    private let requests = Mutex<[Request]>([])
    /// Statuses to answer with, one per request, before answering 200 (or `finalStatus`).
    private let plannedStatuses: Mutex<[HTTPResponse.Status]>
    private let finalStatus: HTTPResponse.Status
    private let portBox = Mutex<Int?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    /// - Parameters:
    ///   - statuses: the first answers, e.g. `[.internalServerError]` to refuse the first delivery after keeping it.
    ///   - finalStatus: every later answer; default 200.
    init(statuses: [HTTPResponse.Status] = [], finalStatus: HTTPResponse.Status = .ok) {
        plannedStatuses = Mutex(statuses)
        self.finalStatus = finalStatus
    }

    var port: Int { portBox.withLock { $0 } ?? 0 }
    var received: [Request] { requests.withLock { $0 } }
    func url(_ path: String = "/hook") -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// Starts listening on `port` (0: any free one) and returns once it accepts connections.
    func start(port: Int = 0) async throws {
        let router = Router()
        router.post("**") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            self.requests.withLock {
                $0.append(Request(path: request.uri.path, headers: headers, body: Data(buffer: body)))
            }
            let status = self.plannedStatuses.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            return Response(status: status ?? self.finalStatus)
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in self.portBox.withLock { $0 = channel.localAddress?.port } }
        )
        task.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        let deadline = ContinuousClock.now + .seconds(120)
        while self.port == 0 {
            guard ContinuousClock.now < deadline else { throw ChannelTestFailure("the HTTP receiver did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}

struct ChannelTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
