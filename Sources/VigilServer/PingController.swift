import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VigilCore
import VigilEngine

/// The healthchecks.io ping API, plus typed progress signals: `/ping/…` for HEAD, GET and POST.
struct PingController {
    let engine: Engine
    /// The most bytes of a body that are kept; the rest is read and dropped.
    let bodyLimit: Int
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<VigilRequestContext>) {
        for method in [HTTPRequest.Method.head, .get, .post] {
            router.on("/ping/**", method: method) { request, context in
                await handle(request, context: context, segments: context.parameters.getCatchAll())
            }
            // hc-ping.com's form has no /ping/ prefix: https://hc-ping.com/<uuid>/start. Accept it too, so that
            // URLs written for the hosted service work by changing only the host.
            router.on("/{root}", method: method) { request, context in
                await handle(request, context: context, segments: [Substring(context.parameters.get("root") ?? "")])
            }
            router.on("/{root}/**", method: method) { request, context in
                let root = Substring(context.parameters.get("root") ?? "")
                return await handle(request, context: context, segments: [root] + context.parameters.getCatchAll())
            }
        }
    }

    func handle(_ request: Request, context: VigilRequestContext, segments: [Substring]) async -> Response {
        let query = request.uri.queryParameters
        let ping: PingRequest
        switch PingRequest.parse(segments, query: { query[Substring($0)] }) {
        case .success(let parsed): ping = parsed
        case .failure(let answer): return respond(answer)
        }
        let body: String?
        do {
            body = try await readBody(request)
        } catch {
            return respond(PingAnswer(.badRequest, "the request body could not be read: \(error)"))
        }
        let signal = Signal(
            kind: ping.path.kind, at: now(), value: ping.value, runID: ping.runID, body: body,
            source: Self.source(address: context.remoteAddress?.ipAddress, agent: request.headers[.userAgent])
        )
        do {
            let receipt = try await engine.receive(signal, for: ping.path.target, create: ping.create)
            return respond(receipt.created ? .created : .ok)
        } catch {
            return respond(PingAnswer(refusal: error))
        }
    }

    /// Keeps the first `bodyLimit` bytes and reads the rest to the end, as healthchecks.io does.
    private func readBody(_ request: Request) async throws -> String? {
        var kept = ByteBuffer()
        for try await chunk in request.body {
            let room = bodyLimit - kept.readableBytes
            if room > 0 {
                var chunk = chunk
                if let slice = chunk.readSlice(length: min(room, chunk.readableBytes)) {
                    var slice = slice
                    kept.writeBuffer(&slice)
                }
            }
        }
        guard kept.readableBytes > 0 else { return nil }
        var bytes = Array(kept.readableBytesView)
        // A cut through a multi-byte character would become U+FFFD and end up longer than the limit: drop its start.
        if let lead = bytes.lastIndex(where: { $0 & 0xC0 != 0x80 }), bytes[lead] >= 0xC0 {
            let length = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : 2
            if bytes.count - lead < length { bytes.removeSubrange(lead...) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where a signal came from, as the signal list shows it: the address and the user agent.
    static func source(address: String?, agent: String?) -> String {
        var parts: [String] = []
        if let address { parts.append(address) }
        if let agent { parts.append(String(agent.prefix(200))) }
        return parts.joined(separator: " ")
    }

    private func respond(_ answer: PingAnswer) -> Response {
        Response(
            status: answer.status, headers: answer.fields(bodyLimit: bodyLimit),
            body: .init(byteBuffer: ByteBuffer(string: answer.text))
        )
    }
}
