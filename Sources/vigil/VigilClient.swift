import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VigilEngine

/// Talks to a Vigil server; retries what failed for a transient reason (no connection, a timeout, 429, 5xx).
struct VigilClient {
    struct Reply {
        var status: Int
        var body: String
        /// The body went to the caller's `write` as it arrived; `body` is empty.
        var streamed = false
    }

    enum Failure: Error {
        /// No answer after every retry; the message says why.
        case unreachable(String)
    }

    let baseURL: String
    let retries: Int
    /// Sent as `X-Api-Key` when set.
    var apiKey: String?
    var timeout: TimeAmount = .seconds(10)

    func get(_ path: String) async throws(Failure) -> Reply {
        try await send(path, method: .GET, body: nil, streaming: nil)
    }

    /// Like `get`, but a 200 answer with a JSON body goes to `write` piece by piece as it arrives, and the reply's
    /// body is then empty; any other answer is collected as `get` does. Once a piece went to `write`, a broken
    /// connection is not retried: what was written cannot be taken back.
    func get(_ path: String, streamingTo write: @escaping (ByteBuffer) -> Void) async throws(Failure) -> Reply {
        try await send(path, method: .GET, body: nil, streaming: write)
    }

    func post(_ path: String, body: Data?) async throws(Failure) -> Reply {
        try await send(path, method: .POST, body: body, streaming: nil)
    }

    private func send(
        _ path: String, method: HTTPMethod, body: Data?, streaming write: ((ByteBuffer) -> Void)?
    ) async throws(Failure) -> Reply {
        var attempt = 0
        var delivered = false
        while true {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = method
            request.headers.add(name: "User-Agent", value: "vigil-cli")
            if let apiKey { request.headers.add(name: "X-Api-Key", value: apiKey) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            var delay = 0.5 * pow(2, Double(attempt))
            do {
                let response = try await OutboundHTTP.client.execute(request, timeout: timeout)
                if let write, response.status == .ok,
                    response.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true
                {
                    for try await piece in response.body {
                        write(piece)
                        delivered = true
                    }
                    return Reply(status: 200, body: "", streamed: true)
                }
                // A monitor list is about 600 bytes a monitor: 4 MB stopped `vigil status` at some 7 000 monitors.
                let buffer = try await response.body.collect(upTo: 1 << 30)
                let reply = Reply(status: Int(response.status.code), body: String(buffer: buffer))
                let transient = reply.status == 429 || reply.status >= 500
                guard transient, attempt < retries else { return reply }
                if let retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init) {
                    delay = min(30, max(delay, retryAfter))
                }
            } catch {
                if delivered {
                    throw .unreachable("the connection to the Vigil server at \(baseURL) broke in the middle of its "
                        + "answer (\(Self.describe(error))), so what was printed is incomplete — try again")
                }
                guard attempt < retries else {
                    throw .unreachable("cannot reach the Vigil server at \(baseURL) (\(Self.describe(error))) — is "
                        + "`vigil serve` running there? Set --server or VIGIL_URL")
                }
            }
            attempt += 1
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") { return "timed out" }
        if text.contains("onnection refused") || text.contains("connectionRefused") { return "connection refused" }
        return text
    }
}
