import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small SMTP server on a loopback port that speaks enough of RFC 5321 to accept mail, and keeps every message.
///
/// One connection at a time, on a thread of its own; `requireAuth` asks for AUTH PLAIN or LOGIN with the given
/// username and password, `ehlo: false` plays a server from before ESMTP that only knows HELO.
final class SMTPReceiver: Sendable {
    struct Message: Sendable {
        var from: String
        var recipients: [String]
        /// The DATA section with the dot-stuffing undone, lines joined by CRLF.
        var data: String
        var authenticatedAs: String?
        var greeting: String
    }

    private let messages = Mutex<[Message]>([])
    private let listener: Int32
    let port: Int
    let credentials: (username: String, password: String)?
    let supportsEHLO: Bool
    let authMechanisms: String

    init(
        credentials: (username: String, password: String)? = nil, ehlo: Bool = true,
        authMechanisms: String = "PLAIN LOGIN"
    )
        throws
    {
        self.credentials = credentials
        self.supportsEHLO = ehlo
        self.authMechanisms = authMechanisms
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw ChannelTestFailure("cannot listen for SMTP") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var received: [Message] { messages.withLock { $0 } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            serve(client)
            close(client)
        }
    }

    private func serve(_ fd: Int32) {
        var connection = LineConnection(fd: fd)
        var from = ""
        var recipients: [String] = []
        var user: String?
        var greeting = ""
        connection.send("220 localhost ESMTP test")
        while let line = connection.readLine() {
            let upper = line.uppercased()
            if upper.hasPrefix("EHLO") {
                guard supportsEHLO else {
                    connection.send("502 5.5.1 EHLO not implemented")
                    continue
                }
                greeting = line
                connection.send("250-localhost")
                connection.send("250-8BITMIME")
                if credentials != nil { connection.send("250-AUTH \(authMechanisms)") }
                connection.send("250 HELP")
            } else if upper.hasPrefix("HELO") {
                greeting = line
                connection.send("250 localhost")
            } else if upper.hasPrefix("AUTH PLAIN ") {
                let token = String(line.dropFirst("AUTH PLAIN ".count))
                let parts = (Data(base64Encoded: token) ?? Data()).split(separator: 0, omittingEmptySubsequences: false)
                let name = parts.count == 3 ? String(decoding: parts[1], as: UTF8.self) : ""
                let secret = parts.count == 3 ? String(decoding: parts[2], as: UTF8.self) : ""
                if let credentials, credentials == (name, secret) {
                    user = name
                    connection.send("235 2.7.0 Authentication successful")
                } else {
                    connection.send("535 5.7.8 Authentication credentials invalid")
                }
            } else if upper == "AUTH LOGIN" {
                connection.send("334 VXNlcm5hbWU6")
                let name = connection.readLine().flatMap { Data(base64Encoded: $0) }.map {
                    String(decoding: $0, as: UTF8.self)
                }
                connection.send("334 UGFzc3dvcmQ6")
                let secret = connection.readLine().flatMap { Data(base64Encoded: $0) }
                    .map { String(decoding: $0, as: UTF8.self) }
                if let credentials, let name, let secret, credentials == (name, secret) {
                    user = name
                    connection.send("235 2.7.0 Authentication successful")
                } else {
                    connection.send("535 5.7.8 Authentication credentials invalid")
                }
            } else if upper.hasPrefix("MAIL FROM:") {
                if credentials != nil, user == nil {
                    connection.send("530 5.7.0 Authentication required")
                    continue
                }
                from = Self.bracketed(line)
                recipients = []
                connection.send("250 2.1.0 Ok")
            } else if upper.hasPrefix("RCPT TO:") {
                recipients.append(Self.bracketed(line))
                connection.send("250 2.1.5 Ok")
            } else if upper == "DATA" {
                connection.send("354 End data with <CR><LF>.<CR><LF>")
                var lines: [String] = []
                while let dataLine = connection.readLine() {
                    if dataLine == "." { break }
                    lines.append(dataLine.hasPrefix(".") ? String(dataLine.dropFirst()) : dataLine)
                }
                let message = Message(
                    from: from, recipients: recipients, data: lines.joined(separator: "\r\n"), authenticatedAs: user,
                    greeting: greeting)
                messages.withLock { $0.append(message) }
                connection.send("250 2.0.0 Ok: queued")
            } else if upper == "QUIT" {
                connection.send("221 2.0.0 Bye")
                return
            } else if upper == "RSET" || upper == "NOOP" {
                connection.send("250 Ok")
            } else {
                connection.send("502 5.5.2 Command not recognized")
            }
        }
    }

    private static func bracketed(_ line: String) -> String {
        guard let open = line.firstIndex(of: "<"), let close = line.lastIndex(of: ">") else { return "" }
        return String(line[line.index(after: open)..<close])
    }
}

/// CRLF lines over a blocking socket; every received line must end in CRLF, or it is reported as bare.
private struct LineConnection {
    let fd: Int32
    var buffer: [UInt8] = []

    func send(_ line: String) {
        let bytes = Array((line + "\r\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    mutating func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                // A bare LF is a protocol error; keep it visible so a test can see it.
                if line.last == 0x0D { line.removeLast() } else { line.append(contentsOf: Array("<bare LF>".utf8)) }
                return String(decoding: line, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

/// A loopback port that nothing listens on right now, for a receiver that is down and starts later.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw ChannelTestFailure("cannot find a free port") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
