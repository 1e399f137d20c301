import Foundation
import VigilCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain SMTP client (RFC 5321): EHLO or HELO, optional AUTH PLAIN or LOGIN, MAIL FROM, RCPT TO, DATA, QUIT.
///
/// It runs on a thread of its own with non-blocking socket calls bounded by one deadline, so a server that stops
/// answering costs at most `settings.timeout` and never a thread of the concurrency pool.
struct SMTPClient: Sendable {
    let settings: SMTPSettings

    /// Sends a message (headers and body, CRLF line endings) to every recipient.
    func send(_ message: Data) async throws {
        let settings = settings
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    var session = try SMTPSession(settings: settings)
                    defer { session.close() }
                    try session.deliver(message)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "vigil.smtp"
            thread.start()
        }
    }

    /// The DATA section: lines ending in CRLF, a leading "." doubled, ended by a line holding only ".".
    static func dataSection(_ message: Data) -> Data {
        var output = Data()
        output.reserveCapacity(message.count + 16)
        var atLineStart = true
        var index = message.startIndex
        while index < message.endIndex {
            let byte = message[index]
            if atLineStart, byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            switch byte {
            case UInt8(ascii: "\r"):
                output.append(contentsOf: [0x0D, 0x0A])
                let next = message.index(after: index)
                if next < message.endIndex, message[next] == 0x0A { index = next }
                atLineStart = true
            case UInt8(ascii: "\n"):
                output.append(contentsOf: [0x0D, 0x0A])
                atLineStart = true
            default:
                output.append(byte)
                atLineStart = false
            }
            index = message.index(after: index)
        }
        if !atLineStart { output.append(contentsOf: [0x0D, 0x0A]) }
        output.append(contentsOf: Array(".\r\n".utf8))
        return output
    }
}

/// One SMTP conversation over one connection.
private struct SMTPSession {
    struct Reply {
        var code: Int
        var lines: [String]
        var text: String { lines.joined(separator: " / ") }
    }

    let settings: SMTPSettings
    let deadline: Date
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(settings: SMTPSettings) throws {
        self.settings = settings
        self.deadline = Date().addingTimeInterval(settings.timeout)
        self.fd = try Self.connect(host: settings.host, port: settings.port, deadline: deadline)
    }

    mutating func close() {
        if fd >= 0 {
            _ = systemClose(fd)
            fd = -1
        }
    }

    var server: String { "SMTP server \(settings.host):\(settings.port)" }

    mutating func deliver(_ message: Data) throws {
        try expect(readReply(), 220, "did not greet")
        let hello = "vigil.localhost"
        var extensions: [String] = []
        try write("EHLO \(hello)\r\n")
        let ehlo = try readReply()
        if ehlo.code == 250 {
            extensions = ehlo.lines.dropFirst().map { $0.uppercased() }
        } else {
            // A server from before ESMTP: fall back to HELO.
            try command("HELO \(hello)", expecting: 250)
        }
        if let username = settings.username {
            try authenticate(username: username, password: settings.password ?? "", extensions: extensions)
        }
        try command("MAIL FROM:<\(Self.address(settings.from))>", expecting: 250)
        for recipient in settings.to {
            let reply = try commandReply("RCPT TO:<\(Self.address(recipient))>")
            guard reply.code == 250 || reply.code == 251 else {
                throw NoticeDeliveryError("\(server) refused recipient \(recipient): \(reply.code) \(reply.text)")
            }
        }
        try command("DATA", expecting: 354)
        try write(SMTPClient.dataSection(message))
        try expect(readReply(), 250, "did not accept the message")
        // The message is accepted; a failed goodbye changes nothing.
        try? write("QUIT\r\n")
        _ = try? readReply()
    }

    private mutating func authenticate(username: String, password: String, extensions: [String]) throws {
        let mechanisms =
            extensions.first { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }?
            .dropFirst(5).split(separator: " ").map(String.init) ?? []
        let reply: Reply
        if mechanisms.contains("LOGIN") && !mechanisms.contains("PLAIN") {
            try command("AUTH LOGIN", expecting: 334)
            try command(Data(username.utf8).base64EncodedString(), expecting: 334, hiding: true)
            reply = try commandReply(Data(password.utf8).base64EncodedString())
        } else {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            reply = try commandReply("AUTH PLAIN \(token)")
        }
        guard reply.code == 235 else {
            throw NoticeDeliveryError(
                "\(server) refused the username or password: \(reply.code) \(reply.text) — check username and password")
        }
    }

    private mutating func command(_ line: String, expecting code: Int, hiding: Bool = false) throws {
        let reply = try commandReply(line)
        let shown = hiding ? "AUTH" : String(line.prefix { $0 != ":" && $0 != " " })
        try expect(reply, code, "refused \(shown)")
    }

    private mutating func commandReply(_ line: String) throws -> Reply {
        try write(line + "\r\n")
        return try readReply()
    }

    private func expect(_ reply: Reply, _ code: Int, _ what: String) throws {
        guard reply.code == code else {
            throw NoticeDeliveryError("\(server) \(what): \(reply.code) \(reply.text)")
        }
    }

    /// The address between angle brackets; a display name and brackets are taken off.
    static func address(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            return String(text[text.index(after: open)..<close])
        }
        return EmailMessage.headerSafe(text).trimmingCharacters(in: .whitespaces)
    }

    // MARK: - Socket

    private mutating func write(_ text: String) throws {
        try write(Data(text.utf8))
    }

    private mutating func write(_ data: Data) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                try wait(for: Int16(POLLOUT), doing: "sending")
                let sent = systemSend(fd, raw.baseAddress! + offset, raw.count - offset)
                if sent < 0 {
                    if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                    throw NoticeDeliveryError("\(server) closed the connection while Vigil was sending")
                }
                offset += sent
            }
        }
    }

    private mutating func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count < 64 * 1024 else {
                throw NoticeDeliveryError("\(server) sent a reply line longer than 64 KiB")
            }
            try wait(for: Int16(POLLIN), doing: "waiting for a reply")
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { systemRecv(fd, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                throw NoticeDeliveryError("\(server) reset the connection")
            }
            if count == 0 { throw NoticeDeliveryError("\(server) closed the connection") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    private mutating func readReply() throws -> Reply {
        var lines: [String] = []
        while true {
            let line = try readLine()
            let scalars = Array(line.utf8)
            guard scalars.count >= 3, let code = Int(String(decoding: scalars[..<3], as: UTF8.self)) else {
                throw NoticeDeliveryError("\(server) does not speak SMTP: it answered \"\(line.prefix(80))\"")
            }
            lines.append(String(decoding: scalars.dropFirst(4), as: UTF8.self))
            // "250-..." continues a reply, "250 ..." ends it.
            if scalars.count == 3 || scalars[3] != UInt8(ascii: "-") { return Reply(code: code, lines: lines) }
        }
    }

    private func wait(for events: Int16, doing what: String) throws {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw NoticeDeliveryError(
                    "\(server) timed out \(what) after \(DurationFormat.format(settings.timeout))")
            }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready > 0 { return }
            if ready < 0, errno != EINTR {
                throw NoticeDeliveryError("\(server): cannot wait on the connection (errno \(errno))")
            }
        }
    }

    private static func connect(host: String, port: Int, deadline: Date) throws -> Int32 {
        let server = "SMTP server \(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw NoticeDeliveryError("\(server): the host name cannot be resolved — check smtp:")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if systemConnect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            guard errno == EINPROGRESS else {
                lastError = errno == ECONNREFUSED ? "connection refused — is the server running?" : "errno \(errno)"
                _ = systemClose(fd)
                continue
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let remaining = max(0, deadline.timeIntervalSinceNow)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready <= 0 {
                lastError = "timed out connecting"
                _ = systemClose(fd)
                continue
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            if socketError == 0 { return fd }
            lastError =
                socketError == ECONNREFUSED
                ? "connection refused — is the server running?" : "errno \(socketError)"
            _ = systemClose(fd)
        }
        throw NoticeDeliveryError("\(server): \(lastError)")
    }
}

// The C functions, named apart from the methods that wrap them.
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>!, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

private func systemSend(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
        send(fd, buffer, count, 0)
    #else
        send(fd, buffer, count, Int32(MSG_NOSIGNAL))
    #endif
}

private func systemRecv(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    recv(fd, buffer, count, 0)
}
