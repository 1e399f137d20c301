import Foundation
import Synchronization

/// A loopback TCP server that answers each connection with the next scripted reply, byte for byte, and records what
/// it was sent: for answers no real HTTP framework would give (odd chunking, a connection cut mid-answer).
final class ScriptedHTTPServer: Sendable {
    /// What to send back on one connection.
    struct Reply: Sendable {
        var bytes: [UInt8]
        /// Close right after sending, without waiting for the client to close first.
        var cutShort = false
        /// Answer only once this file exists, or after 8 s (less than the CLI's 10 s timeout) without it.
        var awaiting: URL?

        init(_ text: String, cutShort: Bool = false, awaiting: URL? = nil) {
            self.bytes = Array(text.utf8)
            self.cutShort = cutShort
            self.awaiting = awaiting
        }
    }

    let port: UInt16
    private let listener: Int32
    private let received = Mutex<[String]>([])
    private let awaited = Mutex<[Bool]>([])
    private let finished = Mutex(false)

    /// Listens on 127.0.0.1 and serves `replies`, one connection each; stops after the last, or after 60 s.
    init(replies: [Reply]) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve(replies) }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// The requests received so far, head and body, as text.
    var requests: [String] { received.withLock { $0 } }

    /// For each reply that awaited a file, whether the file had appeared when it was sent.
    var awaitedFiles: [Bool] { awaited.withLock { $0 } }

    private func serve(_ replies: [Reply]) {
        defer {
            close(listener)
            finished.withLock { $0 = true }
        }
        let deadline = Date().addingTimeInterval(60)
        for reply in replies {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard Date() < deadline, poll(&ready, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { return }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            received.withLock { $0.append(readRequest(from: connection)) }
            if let file = reply.awaiting {
                let until = Date().addingTimeInterval(8)
                while !FileManager.default.fileExists(atPath: file.path), Date() < until { usleep(10_000) }
                awaited.withLock { $0.append(FileManager.default.fileExists(atPath: file.path)) }
            }
            reply.bytes.withUnsafeBytes { _ = send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if !reply.cutShort {
                // Wait for the client to finish reading and close its end.
                var scratch = [UInt8](repeating: 0, count: 4096)
                var waiting = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
                while poll(&waiting, 1, 10_000) > 0, recv(connection, &scratch, scratch.count, 0) > 0 {}
            }
            close(connection)
        }
    }

    /// Reads one request: its head, and as many body bytes as its Content-Length says.
    private func readRequest(from connection: Int32) -> String {
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        var ready = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
        while poll(&ready, 1, 10_000) > 0 {
            let count = recv(connection, &scratch, scratch.count, 0)
            guard count > 0 else { break }
            bytes += scratch[0..<count]
            let text = String(decoding: bytes, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<end.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.distance(from: end.upperBound, to: text.endIndex) >= length { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
