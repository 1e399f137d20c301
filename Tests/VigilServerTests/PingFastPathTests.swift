import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilEngine
import VigilStore

@testable import VigilServer

/// Plain pings answered on the event loop (`PingFastPath`) over a real socket: the same answers as the router's,
/// the order of answers on a pipelined connection kept, and nothing acknowledged that is not stored.
@Suite struct PingFastPathTests {
    @Test func pipelinedRequestsAreAnsweredInOrderAndEveryPingIsStored() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("backup")], bodyLimit: 8)
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let key = try api.key("backup")
        let run = UUID().uuidString.lowercased()
        // Plain pings, router requests and refusals, all sent before the first answer is read.
        let requests: [(method: String, target: String, body: String?)] = [
            ("GET", "/ping/\(key)/start?rid=\(run)", nil),
            ("GET", "/health", nil),
            ("GET", "/ping/\(key)?rid=\(run)", nil),
            ("GET", "/ping/\(UUID().uuidString.lowercased())", nil),
            ("HEAD", "/ping/\(key)/log", nil),
            // What `vigil ping` and `vigil run` send: a POST with an empty body is a plain ping too.
            ("POST", "/ping/\(key)/log", ""),
            ("POST", "/ping/\(key)/fail", "disk full, 0 bytes left"),
            ("GET", "/ping/\(PingAPI.pingKey)/backup/signal/commit?value=3", nil),
            ("GET", "/\(key)/7", nil),
        ]
        let answers = try await api.live { port in
            try await RawHTTPConnection.exchange(port: port, requests)
        }
        #expect(answers.map(\.status) == [200, 200, 200, 404, 200, 200, 200, 200, 200])
        #expect(answers.map(\.body) == ["OK", "OK", "OK", "not found", "", "OK", "OK", "OK", "OK"])
        for (request, answer) in zip(requests, answers) where request.target.hasPrefix("/ping") {
            #expect(answer.headers["ping-body-limit"] == "8", "\(request.target)")
            #expect(answer.headers["content-type"] == "text/plain; charset=utf-8", "\(request.target)")
            #expect(answer.headers["date"]?.hasSuffix(" GMT") == true, "\(request.target)")
        }
        #expect(answers[4].headers["content-length"] == "2", "HEAD announces the body it leaves out")
        // Which path answered: this server names no `serverName`, so only the fast path says "Server: Vigil".
        #expect(answers.map { $0.headers["server"] != nil } == [true, false, true, true, true, true, false, true, true])

        let stored = try await api.signals("backup").reversed().map(\.signal)
        #expect(stored.map(\.kind) == [.start, .success, .log, .log, .fail, SignalKind(rawValue: "commit"), .exit(7)])
        #expect(stored[0].runID?.uuidString.lowercased() == run)
        #expect(stored[1].runID?.uuidString.lowercased() == run)
        #expect(stored[3].body == nil, "an empty body is no body")
        #expect(stored[4].body == "disk ful", "the router path still keeps the first Ping-Body-Limit bytes")
        #expect(stored[5].value == 3)
        #expect(stored.allSatisfy { $0.source?.hasPrefix("127.0.0.1") == true })
        #expect(try api.snapshot("backup").state.status == .failing)
    }

    @Test func aPingTheStoreRefusesIsAnswered503AndForgotten() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("backup")])
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let key = try api.key("backup")
        let before = try api.snapshot("backup").state
        api.faults.failWrites(true)
        let refused = try await api.live { port in
            try await RawHTTPConnection.exchange(port: port, [("GET", "/ping/\(key)", nil)])
        }
        #expect(refused.map(\.status) == [503])
        #expect(refused.first?.body.contains("retry") == true)
        #expect(try api.snapshot("backup").state == before)
        #expect(try await api.signals("backup").isEmpty)

        api.faults.failWrites(false)
        let accepted = try await api.live { port in
            try await RawHTTPConnection.exchange(port: port, [("GET", "/ping/\(key)", nil)])
        }
        #expect(accepted.map(\.status) == [200])
        #expect(try await api.signals("backup").count == 1)
    }

    @Test func aRateLimitedPingGetsRetryAfter() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("busy", rateLimit: RateLimit(count: 1, window: 60))])
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let key = try api.key("busy")
        let answers = try await api.live { port in
            try await RawHTTPConnection.exchange(port: port, [("GET", "/ping/\(key)", nil), ("GET", "/ping/\(key)", nil)])
        }
        #expect(answers.map(\.status) == [200, 429])
        let retryAfter = try #require(answers.last?.headers["retry-after"].flatMap(Int.init))
        #expect((1...60).contains(retryAfter))
        #expect(try await api.signals("busy").count == 1)
    }
}

/// One answer read off the socket.
struct RawHTTPAnswer: Sendable {
    var status: Int
    /// Header fields by lowercased name.
    var headers: [String: String]
    var body: String
}

/// A keep-alive HTTP/1.1 connection on a plain socket, so that requests can be pipelined: all are sent before
/// the first answer is read, as no HTTP client library here does.
enum RawHTTPConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends every request in one write (or in writes of `chunk` bytes, a millisecond apart) and reads one answer
    /// for each; blocking I/O runs on a thread of its own, and a read that waits over 30 s fails the test instead
    /// of hanging it.
    static func exchange(
        port: Int, _ requests: [(method: String, target: String, body: String?)], chunk: Int? = nil
    ) async throws -> [RawHTTPAnswer] {
        let text = requests.map { request in
            var lines = "\(request.method) \(request.target) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: raw-test\r\n"
            if let body = request.body { lines += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { lines += "\r\n" }
            return lines
        }.joined()
        return try await exchange(port: port, raw: text, methods: requests.map(\.method), chunk: chunk)
    }

    /// Sends `raw` as it is and reads one answer for each of `methods`, the requests' methods in order; with
    /// `thenClosed`, the server must then close the connection.
    static func exchange(
        port: Int, raw text: String, methods: [String], chunk: Int? = nil, thenClosed: Bool = false
    ) async throws -> [RawHTTPAnswer] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try run(port: port, send: text, methods: methods, chunk: chunk, thenClosed: thenClosed)
                })
            }
        }
    }

    private static func run(port: Int, send text: String, methods: [String], chunk: Int?, thenClosed: Bool = false)
        throws -> [RawHTTPAnswer]
    {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect to port \(port) failed: errno \(errno)") }
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let piece = bytes[sent..<min(bytes.count, sent + (chunk ?? bytes.count))]
            let count = piece.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            sent += count
            if chunk != nil { usleep(1_000) }
        }
        var buffer: [UInt8] = []
        func fill() throws {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(socket, &chunk, chunk.count, 0)
            guard count > 0 else {
                throw Failure(description: "the connection ended or timed out after \(buffer.count) bytes: "
                    + String(decoding: buffer, as: UTF8.self))
            }
            buffer += chunk[..<count]
        }
        var answers: [RawHTTPAnswer] = []
        for method in methods {
            var end: Int?
            while end == nil {
                end = buffer.indices.dropLast(3).first { buffer[$0...$0 + 3].elementsEqual([13, 10, 13, 10]) }
                if end == nil { try fill() }
            }
            let head = String(decoding: buffer[..<end!], as: UTF8.self).components(separatedBy: "\r\n")
            buffer.removeFirst(end! + 4)
            let statusLine = head[0].split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
                throw Failure(description: "not a status line: \(head[0])")
            }
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = method == "HEAD" ? 0 : Int(headers["content-length"] ?? "0") ?? 0
            while buffer.count < length { try fill() }
            answers.append(RawHTTPAnswer(
                status: status, headers: headers, body: String(decoding: buffer[..<length], as: UTF8.self)))
            buffer.removeFirst(length)
        }
        if thenClosed {
            var byte: UInt8 = 0
            let count = recv(socket, &byte, 1, 0)
            guard count == 0 else {
                throw Failure(description: "the connection stayed open after the last answer (recv gave \(count))")
            }
        }
        return answers
    }
}

extension PingAPI {
    /// Serves the production router behind the ping paths (`PingWire`, `PingFastPath`) on a free loopback port
    /// while `body` runs.
    func live<T: Sendable>(_ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
        let app = Application(
            router: buildRouter(engine: engine, pingBodyLimit: bodyLimit, gate: .open),
            server: httpServer(engine: engine, pingBodyLimit: bodyLimit),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        return try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }
}
