import Foundation
import HTTPTypes
import Hummingbird

/// Finds out what a request may do, from `X-Api-Key`, `Authorization: Bearer`, or the login cookie; it rejects
/// nothing itself (pings, badges and assets need no key), `RequireAccess` does that per route group.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = VigilRequestContext

    let gate: Gate

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        if !gate.required {
            context.access = .readWrite
        } else if let key = Self.presentedKey(request) {
            context.access = await gate.access(forKey: key)
            context.presentedUnknownKey = context.access == nil
        } else if let token = Self.cookie(Gate.sessionCookie, in: request) {
            context.access = gate.access(forSession: token)
        }
        return try await next(request, context)
    }

    static let apiKeyHeader = HTTPField.Name("X-Api-Key")!

    /// The key in `X-Api-Key` or `Authorization: Bearer KEY`.
    static func presentedKey(_ request: Request) -> String? {
        if let key = request.headers[apiKeyHeader] { return key.trimmingCharacters(in: .whitespaces) }
        guard let authorization = request.headers[.authorization] else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// A cookie's value.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }
}

/// Lets a route group's requests through only with enough access, answering in the group's own style.
struct RequireAccess: RouterMiddleware {
    typealias Context = VigilRequestContext

    /// How a refusal looks.
    enum Style {
        /// Vigil's API: `{"error": "..."}` with 401 or 403.
        case api
        /// The healthchecks.io API: 401 `{"error": "missing api key"}` or `{"error": "wrong api key"}`, also for a
        /// read-only key on a write, as healthchecks.io does.
        case healthchecks
        /// Pages: a redirect to the login page.
        case page
        /// `/metrics`: 401 in plain text, as Prometheus reports it.
        case plain
    }

    let style: Style

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let writes = !(request.method == .get || request.method == .head || request.method == .options)
        guard let access = context.access else {
            if context.presentedUnknownKey { return refuse(401, "wrong api key", request) }
            return refuse(401, "missing api key", request)
        }
        if writes, !access.canWrite {
            return refuse(403, "read-only key", request)
        }
        return try await next(request, context)
    }

    private func refuse(_ status: Int, _ reason: String, _ request: Request) -> Response {
        switch style {
        case .healthchecks:
            let message = reason == "read-only key" ? "wrong api key" : reason
            return ErrorBody.healthchecks(.unauthorized, message)
        case .api:
            let message: String
            switch reason {
            case "wrong api key":
                message = "the API key is not known (or was revoked) — create one with \"vigil keys create\""
            case "missing api key":
                message = "an API key is needed — send it as \"X-Api-Key: KEY\" or \"Authorization: Bearer KEY\";"
                    + " create one with \"vigil keys create\""
            default:
                message = "this key is read-only — use a read-write key to change anything"
            }
            return ErrorBody.response(status == 403 ? .forbidden : .unauthorized, message)
        case .plain:
            var response = Response(
                status: status == 403 ? .forbidden : .unauthorized,
                body: .init(byteBuffer: .init(string: "an API key is needed: Authorization: Bearer KEY\n"))
            )
            response.headers[.contentType] = "text/plain; charset=utf-8"
            return response
        case .page:
            if status == 403 {
                var response = Response(
                    status: .forbidden,
                    body: .init(byteBuffer: .init(string: "This login is read-only; log in with a read-write key.\n"))
                )
                response.headers[.contentType] = "text/plain; charset=utf-8"
                return response
            }
            let next = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
            var response = Response(status: .seeOther)
            response.headers[.location] = "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")
            return response
        }
    }
}
