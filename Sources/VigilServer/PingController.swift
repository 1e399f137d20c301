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

    static let bodyLimitHeader = HTTPField.Name("Ping-Body-Limit")!

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
        let path: PingPath
        switch PingPath.parse(segments) {
        case .success(let parsed): path = parsed
        case .failure(.notFound): return respond(.notFound, "not found")
        case .failure(.invalid(let reason)): return respond(.badRequest, reason)
        }
        let query = request.uri.queryParameters
        var runID: UUID?
        if let rid = query["rid"] {
            guard let parsed = UUID(uuidString: String(rid)) else {
                return respond(.badRequest, "rid \"\(rid)\" is not a UUID: use e.g. \(UUID().uuidString.lowercased())")
            }
            runID = parsed
        }
        var value: Double?
        if let text = query["value"] {
            guard let parsed = Double(String(text)), parsed.isFinite else {
                return respond(.badRequest, "value \"\(text)\" is not a number: use e.g. value=3 or value=0.25")
            }
            value = parsed
        }
        let create = query["create"].map { $0 == "1" || $0 == "true" } ?? false
        let body: String?
        do {
            body = try await readBody(request)
        } catch {
            return respond(.badRequest, "the request body could not be read: \(error)")
        }
        let signal = Signal(
            kind: path.kind, at: now(), value: value, runID: runID, body: body,
            source: source(of: request, context: context)
        )
        do {
            let receipt = try await engine.receive(signal, for: path.target, create: create)
            return receipt.created ? respond(.created, "Created") : respond(.ok, "OK")
        } catch {
            switch error.code {
            case .notFound: return respond(.notFound, "not found")
            case .ambiguous: return respond(.conflict, "ambiguous slug")
            case .invalid, .conflict, .declared: return respond(.badRequest, error.message)
            case .notDurable: return respond(.serviceUnavailable, error.message)
            case .rateLimited(let retryAfter):
                var response = respond(.tooManyRequests, error.message)
                response.headers[.retryAfter] = String(Int(retryAfter.rounded(.up)))
                return response
            }
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

    private func source(of request: Request, context: VigilRequestContext) -> String {
        var parts: [String] = []
        if let address = context.remoteAddress?.ipAddress { parts.append(address) }
        if let agent = request.headers[.userAgent] { parts.append(String(agent.prefix(200))) }
        return parts.joined(separator: " ")
    }

    private func respond(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[Self.bodyLimitHeader] = String(bodyLimit)
        headers[.accessControlAllowOrigin] = "*"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
