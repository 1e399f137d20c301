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
    func get(_ path: String, streamingTo write: @escaping (UnsafeRawBufferPointer) -> Void) async throws(Failure) -> Reply {
        try await send(path, method: .GET, body: nil, streaming: write)
    }

    func post(_ path: String, body: Data?) async throws(Failure) -> Reply {
        try await send(path, method: .POST, body: body, streaming: nil)
    }

    /// What one attempt came to.
    private enum Attempt {
        case answered(Reply, retryAfter: Double?)
        /// No answer; `delivered` says whether part of one already went to the caller's `write`.
        case failed(String, delivered: Bool)
    }

    private func send(
        _ path: String, method: HTTPMethod, body: Data?, streaming write: ((UnsafeRawBufferPointer) -> Void)?
    ) async throws(Failure) -> Reply {
        let socket = SocketHTTP(baseURL: baseURL)
        var attempt = 0
        while true {
            let outcome = if let socket {
                once(socket, path, method: method, body: body, streaming: write)
            } else {
                await once(path, method: method, body: body, streaming: write)
            }
            var delay = 0.5 * pow(2, Double(attempt))
            switch outcome {
            case .answered(let reply, let retryAfter):
                let transient = reply.status == 429 || reply.status >= 500
                guard transient, attempt < retries else { return reply }
                if let retryAfter { delay = min(30, max(delay, retryAfter)) }
            case .failed(let reason, let delivered):
                if delivered {
                    throw .unreachable("the connection to the Vigil server at \(baseURL) broke in the middle of its "
                        + "answer (\(reason)), so what was printed is incomplete — try again")
                }
                guard attempt < retries else {
                    throw .unreachable("cannot reach the Vigil server at \(baseURL) (\(reason)) — is "
                        + "`vigil serve` running there? Set --server or VIGIL_URL")
                }
            }
            attempt += 1
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    private var headers: [(String, String)] {
        [("User-Agent", "vigil-cli")] + (apiKey.map { [("X-Api-Key", $0)] } ?? [])
    }

    /// One attempt over a plain socket (an `http://` server).
    private func once(
        _ socket: SocketHTTP, _ path: String, method: HTTPMethod, body: Data?,
        streaming write: ((UnsafeRawBufferPointer) -> Void)?
    ) -> Attempt {
        var status = 0
        var retryAfter: Double?
        var streams = false
        var delivered = false
        var collected: [UInt8] = []
        do {
            try socket.exchange(
                method: method.rawValue, path: path, headers: headers, body: body.map(Array.init),
                timeout: .nanoseconds(timeout.nanoseconds),
                head: { head in
                    status = head.status
                    retryAfter = head.headers["retry-after"].flatMap(Double.init)
                    streams = write != nil && status == 200
                        && head.headers["content-type"]?.hasPrefix("application/json") == true
                },
                body: { piece in
                    if streams, let write {
                        write(piece)
                        delivered = true
                    } else {
                        collected.append(contentsOf: piece)
                    }
                }
            )
        } catch {
            return .failed(Self.describe(error), delivered: delivered)
        }
        if streams { return .answered(Reply(status: 200, body: "", streamed: true), retryAfter: nil) }
        return .answered(Reply(status: status, body: String(decoding: collected, as: UTF8.self)), retryAfter: retryAfter)
    }

    /// One attempt through AsyncHTTPClient (an `https://` server).
    private func once(
        _ path: String, method: HTTPMethod, body: Data?, streaming write: ((UnsafeRawBufferPointer) -> Void)?
    ) async -> Attempt {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        var delivered = false
        do {
            let response = try await OutboundHTTP.client.execute(request, timeout: timeout)
            if let write, response.status == .ok,
                response.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true
            {
                for try await piece in response.body {
                    piece.withUnsafeReadableBytes(write)
                    delivered = true
                }
                return .answered(Reply(status: 200, body: "", streamed: true), retryAfter: nil)
            }
            // A monitor list is about 600 bytes a monitor: 4 MB stopped `vigil status` at some 7 000 monitors.
            let buffer = try await response.body.collect(upTo: 1 << 30)
            return .answered(
                Reply(status: Int(response.status.code), body: String(buffer: buffer)),
                retryAfter: response.headers.first(name: "Retry-After").flatMap(Double.init)
            )
        } catch {
            return .failed(Self.describe(error), delivered: delivered)
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? SocketHTTP.Failure {
            switch error {
            case .unreachable(let reason), .broken(let reason), .malformed(let reason): return reason
            }
        }
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("deadlineExceeded") { return "timed out" }
        if text.contains("onnection refused") || text.contains("connectionRefused") { return "connection refused" }
        return text
    }
}
