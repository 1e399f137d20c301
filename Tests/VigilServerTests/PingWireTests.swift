import Foundation
import Testing
import VigilCore

@testable import VigilServer

/// Plain pings read from the connection's bytes (`PingWire`): which heads it takes and which it leaves to NIO's
/// decoder, and over a real socket, the same answers as the router's with the connection handed over intact.
@Suite struct PingWireTests {
    private static let key = "0b3c81a7-5c1e-4d4e-9f3a-0d6c2e8b7a61"

    private func read(_ text: String) -> PlainRequestHead.Reading {
        Array(text.utf8).withUnsafeBytes { PlainRequestHead.read($0) }
    }

    @Test func aPlainPingHeadIsReadWithItsLengthAndEveryPrefixOfItWaits() {
        let head = "GET /ping/\(Self.key)?rid=1 HTTP/1.1\r\nHost: x\r\nuser-agent:  curl/8.5 \r\nConnection: Keep-Alive\r\n"
            + "Content-Length: 0\r\n\r\n"
        let expected = PlainRequestHead(method: .get, target: "/ping/\(Self.key)?rid=1", userAgent: "curl/8.5")
        #expect(read(head + "GET /next") == .plain(expected, length: head.utf8.count))
        for end in 0..<head.utf8.count {
            #expect(read(String(head.utf8.prefix(end))!) == .incomplete, "\(end) bytes")
        }
        #expect(read("HEAD /x HTTP/1.1\r\n\r\n") == .plain(.init(method: .head, target: "/x"), length: 20))
        #expect(read("POST /x HTTP/1.1\r\n\r\n") == .plain(.init(method: .post, target: "/x"), length: 20))
    }

    @Test(arguments: [
        "PUT /x HTTP/1.1\r\n\r\n",
        "get /x HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.0\r\n\r\n",
        "GET  /x HTTP/1.1\r\n\r\n",
        "\r\nGET /x HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.1\nHost: x\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: x\n\r\n",
        "GET /x HTTP/1.1\r\nHost: x\rY\r\n\r\n",
        "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /x HTTP/1.1\r\nConnection: close\r\n\r\n",
        "GET /x HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n",
        "GET /x HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
        "POST /x HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
        "GET /x HTTP/1.1\r\nUser-Agent: a\r\nUser-Agent: b\r\n\r\n",
        "GET /x HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
        "GET /x HTTP/1.1\r\n: empty name\r\n\r\n",
        "GET /x HTTP/1.1\r\nBad Name: 1\r\n\r\n",
        "GET /x HTTP/1.1\r\nUser-Agent: caf\u{e9}\r\n\r\n",
        "GET /x\u{7f} HTTP/1.1\r\n\r\n",
    ])
    func headsItDoesNotFullyUnderstandAreLeftToTheDecoder(_ text: String) {
        #expect(read(text) == .other)
    }

    @Test func aHeadThatNeverEndsWithinTheLimitIsLeftToTheDecoder() {
        let long = "GET /x HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: PlainRequestHead.lengthLimit)
        #expect(read(long) == .other)
        #expect(read(String(long.utf8.prefix(PlainRequestHead.lengthLimit - 1))!) == .incomplete)
    }

    @Test func onlyTargetsWithoutEscapesEmptySegmentsOrCreateArePlainPings() throws {
        let run = UUID()
        let ping = try #require(PingRequest.plain(target: "/ping/\(Self.key)/start?rid=\(run)&value=2.5&x"))
        #expect(ping.path.kind == .start)
        #expect(ping.runID == run)
        #expect(ping.value == 2.5)
        #expect(PingRequest.plain(target: "/\(Self.key)/3")?.path.kind == .exit(3))
        #expect(PingRequest.plain(target: "/ping/key/nightly/signal/commit")?.path.kind == SignalKind(rawValue: "commit"))
        for target in [
            "/ping/\(Self.key)/", "/ping//\(Self.key)", "/ping/\(Self.key)?rid=%41", "/ping/key/nightly?create=1",
            "/ping/\(Self.key)?value=x", "/health", "/", "ping/\(Self.key)", "/ping/\(Self.key)/999",
        ] {
            #expect(PingRequest.plain(target: target) == nil, "\(target)")
        }
    }

    @Test func pingsSplitAcrossWritesAreAnsweredAndStored() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("backup")], bodyLimit: 8)
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let key = try api.key("backup")
        let requests: [(method: String, target: String, body: String?)] = [
            ("GET", "/ping/\(key)/start", nil), ("HEAD", "/ping/\(key)/log", nil), ("POST", "/ping/\(key)", nil),
        ]
        // Seven bytes at a time: heads arrive in pieces and split anywhere, a CRLF included.
        let answers = try await api.live { port in
            try await RawHTTPConnection.exchange(port: port, requests, chunk: 7)
        }
        #expect(answers.map(\.status) == [200, 200, 200])
        #expect(answers.map(\.body) == ["OK", "", "OK"])
        #expect(answers.allSatisfy { $0.headers["server"] == "Vigil" && $0.headers["ping-body-limit"] == "8" })
        let stored = try await api.signals("backup").reversed().map(\.signal)
        #expect(stored.map(\.kind) == [.start, .log, .success])
        #expect(stored.allSatisfy { $0.source == "127.0.0.1 raw-test" })
    }

    @Test func aClientFarAheadIsHeldBackAndEveryPingIsAnsweredInOrder() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("backup")])
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let key = try api.key("backup")
        // 400 pings of ~100 bytes sent before any answer is read: past the 16 KB read ahead, reading pauses and
        // resumes as answers go out.
        let requests = (0..<400).map { index in
            (method: "GET", target: index.isMultiple(of: 2) ? "/ping/\(key)/log" : "/ping/\(key)", body: String?.none)
        }
        let answers = try await api.live { port in
            try await RawHTTPConnection.exchange(port: port, requests)
        }
        #expect(answers.count == 400)
        #expect(answers.allSatisfy { $0.status == 200 && $0.body == "OK" })
        // The store keeps the newest 100 to 125 signals of a monitor: they are the last pings, in order.
        let stored = try await api.signals("backup").reversed().map(\.signal.kind)
        #expect(stored.count >= 100)
        #expect(stored == (0..<400).map { $0.isMultiple(of: 2) ? .log : .success }.suffix(stored.count))
    }

    @Test func theFirstRequestOfAnotherKindHandsTheConnectionToTheRouterWithWhatFollows() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("backup")], bodyLimit: 8)
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let key = try api.key("backup")
        // Two plain pings, a ping with a body (the router's), then more pings, all in one write.
        let requests: [(method: String, target: String, body: String?)] = [
            ("GET", "/ping/\(key)/start", nil),
            ("GET", "/ping/\(key)/log", nil),
            ("POST", "/ping/\(key)/fail", "disk full"),
            ("GET", "/ping/\(key)", nil),
            ("GET", "/health", nil),
        ]
        let answers = try await api.live { port in
            try await RawHTTPConnection.exchange(port: port, requests)
        }
        #expect(answers.map(\.status) == [200, 200, 200, 200, 200])
        // Only the ping paths say "Server: Vigil" (this server names no `serverName`).
        #expect(answers.map { $0.headers["server"] != nil } == [true, true, false, true, false])
        let stored = try await api.signals("backup").reversed().map(\.signal)
        #expect(stored.map(\.kind) == [.start, .log, .fail, .success])
        #expect(stored[2].body == "disk ful")
    }

    @Test func aPingAskingToCloseIsAnsweredByTheRouterWhichCloses() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("backup")])
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let key = try api.key("backup")
        let raw = "GET /ping/\(key) HTTP/1.1\r\nHost: x\r\n\r\nGET /ping/\(key) HTTP/1.1\r\nConnection: close\r\n\r\n"
        let answers = try await api.live { port in
            try await RawHTTPConnection.exchange(port: port, raw: raw, methods: ["GET", "GET"], thenClosed: true)
        }
        #expect(answers.map(\.status) == [200, 200])
        #expect(answers.map { $0.headers["server"] != nil } == [true, false])
        #expect(try await api.signals("backup").count == 2)
    }
}
