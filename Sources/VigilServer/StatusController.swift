import Foundation
import Hummingbird
import NIOCore
import VigilEngine

/// Read-only monitor listing under `/api/v1`: what `vigil status` shows.
struct StatusController {
    let engine: Engine

    func addRoutes(to router: Router<VigilRequestContext>) {
        router.get("/api/v1/monitors") { _, _ in
            try json(engine.snapshots().map(MonitorView.init))
        }
        router.get("/api/v1/monitors/{slugOrKey}") { _, context in
            let slugOrKey = try context.parameters.require("slugOrKey")
            guard let snapshot = engine.snapshot(slugOrKey: slugOrKey) else {
                throw HTTPError(.notFound, message: "no monitor has the slug or key \(slugOrKey)")
            }
            return try json(MonitorView(snapshot))
        }
    }

    private func json(_ value: some Encodable) throws -> Response {
        let data = try MonitorView.encoder.encode(value)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
