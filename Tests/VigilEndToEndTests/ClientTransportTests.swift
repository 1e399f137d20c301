import Foundation
import Testing

/// The command line talks to `http://` servers over a plain socket: what it sends, and how it reads every way an
/// HTTP/1.1 answer can be framed or broken.
@Suite struct ClientTransportTests {
    let key = "5f1c2a3e-0000-4000-8000-0000000000ab"

    @Test func aPingIsRetriedAfterA503AndSentToTheServersOwnPath() async throws {
        let server = try ScriptedHTTPServer(replies: [
            .init("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 4\r\n\r\nbusy"),
            .init("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK"),
        ])
        let ping = try await Command.vigil(["ping", key, "--signal", "queue.offset", "--value", "7", "--server", server.url + "/vigil/"])
        #expect(ping.status == 0, "\(ping.stderr)")
        #expect(ping.stdout == "OK\n")
        let requests = server.requests
        #expect(requests.count == 2)
        for request in requests {
            #expect(request.hasPrefix("POST /vigil/ping/\(key)/signal/queue.offset?value=7.0 HTTP/1.1\r\n"), "\(request)")
            #expect(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"), "\(request)")
            #expect(request.contains("\r\nContent-Length: 0\r\n"), "\(request)")
            #expect(request.contains("\r\nUser-Agent: vigil-cli\r\n"), "\(request)")
        }
    }

    @Test func runStartsTheCommandWithoutWaitingForTheStartPingAndEndsAfterIt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let started = folder.appendingPathComponent("started")
        // The start is answered only once the command has run; the end at once.
        let server = try ScriptedHTTPServer(replies: [
            .init("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", awaiting: started),
            .init("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"),
        ])
        let run = try await Command.vigil(["run", key, "--server", server.url, "--", "/bin/sh", "-c", "touch \(started.path); exit 5"])
        #expect(run.status == 5, "\(run.stderr)")
        #expect(server.awaitedFiles == [true], "the command waited for the start ping")
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests.first?.hasPrefix("POST /ping/\(key)/start?rid=") == true, "\(requests)")
        #expect(requests.last?.hasPrefix("POST /ping/\(key)/5?rid=") == true, "the end went out after the start")
    }

    /// `vigil run <monitor> [--server <url>] -- <command…>` starts without ArgumentParser; every other form, and every
    /// mistake, still goes through it, with the same answers.
    @Test func runTakesItsQuickStartOnlyForThePlainFormAndAnswersMistakesAsBefore() async throws {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"
        let quick = try ScriptedHTTPServer(replies: [.init(ok), .init(ok)])
        let plain = try await Command.vigil(["run", key, "--server=\(quick.url)", "--", "/bin/sh", "-c", "echo abcdef; exit 2"])
        #expect(plain.status == 2, "\(plain.stderr)")
        #expect(plain.stdout == "abcdef\n")
        #expect(quick.requests.last?.hasPrefix("POST /ping/\(key)/2?rid=") == true, "\(quick.requests)")
        #expect(quick.requests.last?.hasSuffix("\r\n\r\nabcdef\n") == true, "\(quick.requests)")

        // An option the quick start does not take: ArgumentParser parses it, and the end carries a 3-byte tail.
        let parsed = try ScriptedHTTPServer(replies: [.init(ok), .init(ok)])
        let tail = try await Command.vigil(["run", key, "--tail", "3", "--server", parsed.url, "--", "/bin/sh", "-c", "echo abcdef"])
        #expect(tail.status == 0, "\(tail.stderr)")
        #expect(parsed.requests.last?.hasSuffix("\r\n\r\nef\n") == true, "\(parsed.requests)")

        // Mistakes: a bad server URL (ArgumentParser's usage error), a slug without a ping key (said once).
        let badURL = try await Command.vigil(["run", key, "--server", "ftp://x", "--", "/bin/true"])
        #expect(badURL.status == 64)
        #expect(badURL.stderr.contains("is not an http(s) URL"), "\(badURL.stderr)")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(ProcessInfo.processInfo.environment["VIGIL_PING_KEY"] == nil)
        let noKey = try await Command.vigil(["run", "nightly", "--server", quick.url, "--", "/bin/true"], in: empty)
        #expect(noKey.status == 64)
        #expect(noKey.stderr.components(separatedBy: "needs the project ping key").count == 2, "\(noKey.stderr)")
        let noCommand = try await Command.vigil(["run", key, "--server", quick.url, "--"])
        #expect(noCommand.status == 64)
        #expect(noCommand.stderr.contains("name the command to run"), "\(noCommand.stderr)")
    }

    @Test func aChunkedListIsPrintedWholeWhateverTheChunking() async throws {
        let json = #"[{"slug":"backup","state":"up"},{"slug":"agent","state":"late"}]"#
        let bytes = Array(json.utf8)
        // Chunks of 1, 7 and the rest, one with an extension, and a trailer field after the last.
        var body = "1;name=value\r\n" + String(decoding: bytes[0..<1], as: UTF8.self) + "\r\n"
        body += "7\r\n" + String(decoding: bytes[1..<8], as: UTF8.self) + "\r\n"
        body += String(bytes.count - 8, radix: 16) + "\r\n" + String(decoding: bytes[8...], as: UTF8.self) + "\r\n"
        body += "0\r\nX-Trailer: done\r\n\r\n"
        let server = try ScriptedHTTPServer(replies: [
            .init("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
        ])
        let status = try await Command.vigil(["status", "--json", "--server", server.url, "--api-key", "k-1"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout == json + "\n")
        #expect(server.requests.first?.hasPrefix("GET /api/v1/monitors HTTP/1.1\r\n") == true)
        #expect(server.requests.first?.contains("\r\nX-Api-Key: k-1\r\n") == true)
    }

    @Test func anAnswerCutShortIsAnErrorNotAHalfAnswer() async throws {
        let server = try ScriptedHTTPServer(replies: [
            .init("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part", cutShort: true)
        ])
        let ping = try await Command.vigil(["ping", key, "--server", server.url, "--retries", "0"])
        #expect(ping.status == 3, "\(ping.stdout)")
        #expect(ping.stdout.isEmpty)
        #expect(ping.stderr.contains("closed 91 bytes before the end of the answer"), "\(ping.stderr)")
    }

    @Test func somethingThatIsNotHTTPIsNamedAsSuch() async throws {
        let server = try ScriptedHTTPServer(replies: [.init("SSH-2.0-OpenSSH_9.2\r\n", cutShort: true)])
        let ping = try await Command.vigil(["ping", key, "--server", server.url, "--retries", "0"])
        #expect(ping.status == 3, "\(ping.stdout)")
        #expect(ping.stderr.contains("does not start with an HTTP status line: SSH-2.0"), "\(ping.stderr)")
    }

    @Test func aServerThatAnswersWithoutLengthIsReadToItsClose() async throws {
        let server = try ScriptedHTTPServer(replies: [
            .init("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nOK until the end", cutShort: true)
        ])
        let ping = try await Command.vigil(["ping", key, "--server", server.url, "--retries", "0"])
        #expect(ping.status == 0, "\(ping.stderr)")
        #expect(ping.stdout == "OK until the end\n")
    }
}
