import Foundation
import Hummingbird
import NIOCore

/// The dashboard's login: a form that takes an API key and sets a session cookie, and the logout that ends it.
struct LoginController {
    let gate: Gate

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/login") { request, _ in
            page(next: Self.safeNext(request.uri.queryParameters["next"].map(String.init)), problem: nil)
        }
        router.post("/login") { request, context in
            let form = try await Self.form(request)
            let next = Self.safeNext(form["next"])
            guard let key = form["key"]?.trimmingCharacters(in: .whitespaces), !key.isEmpty else {
                return page(next: next, problem: "Enter an API key.", status: .badRequest)
            }
            guard let access = await gate.access(forKey: key) else {
                return page(
                    next: next, problem: "That key is not known. Create one with: vigil keys create",
                    status: .unauthorized
                )
            }
            let token = gate.openSession(access)
            var response = Response(status: .seeOther)
            response.headers[.location] = next
            response.headers[.setCookie] = "\(Gate.sessionCookie)=\(token); Path=/; HttpOnly; SameSite=Lax; Max-Age="
                + "\(Int(Gate.sessionLifetime))"
            return response
        }
        router.post("/logout") { request, _ in
            if let token = AccessMiddleware.cookie(Gate.sessionCookie, in: request) { gate.closeSession(token) }
            var response = Response(status: .seeOther)
            response.headers[.location] = "/login"
            response.headers[.setCookie] = "\(Gate.sessionCookie)=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
            return response
        }
    }

    /// Only paths on this server: a `next` that leaves it (`//evil`, `https://…`) goes to the overview instead.
    static func safeNext(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), !text.contains("\n"),
            !text.contains("\r")
        else { return "/" }
        return text
    }

    /// The fields of an `application/x-www-form-urlencoded` body.
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        let text = String(buffer: buffer)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    private func page(next: String, problem: String?, status: HTTPResponse.Status = .ok) -> Response {
        let problemHTML = problem.map { "<p class=\"problem\" role=\"alert\">\(HTML.escape($0))</p>" } ?? ""
        let html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Log in · Vigil</title>
            <link rel="stylesheet" href="/assets/vigil.css">
            </head>
            <body>
            <main id="main" class="login">
            <h1>Vigil</h1>
            <form method="post" action="/login">
            \(problemHTML)
            <label for="key">API key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
            <input type="hidden" name="next" value="\(HTML.escape(next))">
            <button type="submit">Log in</button>
            <p class="hint">No key yet? Run <code>vigil keys create --read-only</code> on the server.</p>
            </form>
            </main>
            </body>
            </html>
            """
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(string: html)))
        response.headers[.contentType] = "text/html; charset=utf-8"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
