import Foundation

/// One HTTP/1.1 exchange over a plain TCP socket, for servers addressed by an `http://` URL — the command line's
/// usual case. Starting AsyncHTTPClient's event loops and connection pool cost about as much as the rest of a
/// `vigil ping`; a blocking socket costs a few system calls. `https://` servers still go through AsyncHTTPClient.
struct SocketHTTP {
    let host: String
    let port: UInt16
    /// The URL's own path, put before every request's path ("" for a server at the root).
    let basePath: String

    /// The start of an answer.
    struct Head {
        var status: Int
        /// Header names in lowercase.
        var headers: [String: String]
    }

    enum Failure: Error {
        /// No connection was made: the request was never sent, so it is safe to retry.
        case unreachable(String)
        /// The request went out but no complete answer came back in time, or the connection broke.
        case broken(String)
        /// What came back is not HTTP.
        case malformed(String)
    }

    /// The endpoint of an `http://host[:port][/path]` URL; nil for any other scheme.
    init?(baseURL: String) {
        guard let url = URL(string: baseURL), url.scheme?.lowercased() == "http", var host = url.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = UInt16(exactly: url.port ?? 80) else { return nil }
        self.host = host
        self.port = port
        let path = url.path
        self.basePath = path == "/" ? "" : path
    }

    /// Sends one request and passes the answer's head to `head`, then its body piece by piece to `body`.
    /// The connection is closed afterwards; `timeout` bounds the whole exchange.
    func exchange(
        method: String,
        path: String,
        headers: [(String, String)],
        body requestBody: [UInt8]?,
        timeout: Duration,
        head: (Head) -> Void,
        body: (UnsafeRawBufferPointer) -> Void
    ) throws(Failure) {
        let deadline = ContinuousClock.now + timeout
        let socket = try connect(before: deadline)
        defer { close(socket) }

        var request = "\(method) \(basePath)\(path) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if requestBody != nil || method == "POST" || method == "PUT" {
            request += "Content-Length: \(requestBody?.count ?? 0)\r\n"
        }
        request += "\r\n"
        var bytes = Array(request.utf8)
        if let requestBody { bytes += requestBody }
        try send(bytes, on: socket, before: deadline)

        var reader = Reader(socket: socket, deadline: deadline)
        var answer = try reader.readHead()
        // An interim answer (100 Continue and the like) is followed by the real one.
        while (100..<200).contains(answer.status) { answer = try reader.readHead() }
        head(answer)
        if method == "HEAD" || answer.status == 204 || answer.status == 304 { return }
        if answer.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            try reader.readChunked(into: body)
        } else if let text = answer.headers["content-length"] {
            guard let length = Int(Self.trimmed(text)), length >= 0 else {
                throw .malformed("the answer's Content-Length \(text) is not a number")
            }
            try reader.read(exactly: length, into: body)
        } else {
            try reader.readToEnd(into: body)
        }
    }

    /// `text` without the spaces and tabs around it. Foundation's `trimmingCharacters(in:)` cost more than the
    /// rest of reading an answer.
    static func trimmed(_ text: some StringProtocol) -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) })
        else { return "" }
        return String(text[first...last])
    }

    private var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    // MARK: - Connecting and sending

    private func connect(before deadline: ContinuousClock.Instant) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw .unreachable("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var reason = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let address = next {
            next = address.pointee.ai_next
            let socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), address.pointee.ai_protocol)
            guard socket >= 0 else {
                reason = String(cString: strerror(errno))
                continue
            }
            if Glibc.connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 || errno == EINPROGRESS {
                do throws(Failure) {
                    try Self.wait(for: Int16(POLLOUT), on: socket, before: deadline, doing: "connecting")
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 {
                        var on: Int32 = 1
                        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                        return socket
                    }
                    reason = error == ECONNREFUSED ? "connection refused" : String(cString: strerror(error))
                } catch {
                    reason = "timed out"
                }
            } else {
                reason = errno == ECONNREFUSED ? "connection refused" : String(cString: strerror(errno))
            }
            close(socket)
        }
        throw .unreachable(reason)
    }

    private func send(_ bytes: [UInt8], on socket: Int32, before deadline: ContinuousClock.Instant) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0, errno == EAGAIN || errno == EINTR {
                try Self.wait(for: Int16(POLLOUT), on: socket, before: deadline, doing: "sending the request")
            } else {
                throw .broken("sending the request failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Waits until `socket` is ready for `events`, or throws once `deadline` passed.
    fileprivate static func wait(
        for events: Int16, on socket: Int32, before deadline: ContinuousClock.Instant, doing what: String
    ) throws(Failure) {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw .broken("timed out \(what)") }
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(milliseconds, Int64(Int32.max))))
            if ready > 0 { return }
            if ready < 0, errno != EINTR { throw .broken("\(what) failed: \(String(cString: strerror(errno)))") }
        }
    }

    // MARK: - Reading the answer

    /// Reads from the socket through a buffer, so that the head's parsing can look ahead.
    private struct Reader {
        let socket: Int32
        let deadline: ContinuousClock.Instant
        var buffer: [UInt8] = []
        var start = 0
        /// What one `recv` fills before it is appended to `buffer`.
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)

        init(socket: Int32, deadline: ContinuousClock.Instant) {
            self.socket = socket
            self.deadline = deadline
            buffer.reserveCapacity(64 * 1024)
        }

        var available: Int { buffer.count - start }

        /// Reads more bytes; returns false at the end of the stream.
        mutating func fill() throws(Failure) -> Bool {
            if start > 0, start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            let socket = socket
            while true {
                let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    buffer.append(contentsOf: chunk[0..<count])
                    return true
                }
                if count == 0 { return false }
                guard errno == EAGAIN || errno == EINTR else {
                    throw .broken("reading the answer failed: \(String(cString: strerror(errno)))")
                }
                try SocketHTTP.wait(for: Int16(POLLIN), on: socket, before: deadline, doing: "waiting for the answer")
            }
        }

        /// The next line without its CRLF, at most `limit` bytes.
        mutating func line(limit: Int = 16 * 1024) throws(Failure) -> String {
            while true {
                if let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    var last = end
                    if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                    let text = String(decoding: buffer[start..<last], as: UTF8.self)
                    start = end + 1
                    return text
                }
                guard available < limit else { throw .malformed("a line of the answer is longer than \(limit) bytes") }
                guard try fill() else { throw .broken("the connection closed in the middle of the answer") }
            }
        }

        mutating func readHead() throws(Failure) -> Head {
            let statusLine = try line()
            let parts = statusLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100..<600).contains(status)
            else { throw .malformed("the answer does not start with an HTTP status line: \(statusLine.prefix(80))") }
            var headers: [String: String] = [:]
            for _ in 0..<200 {
                let field = try line()
                if field.isEmpty { return Head(status: status, headers: headers) }
                guard let colon = field.firstIndex(of: ":") else { throw .malformed("a header line has no colon: \(field.prefix(80))") }
                let name = field[..<colon].lowercased()
                let value = SocketHTTP.trimmed(field[field.index(after: colon)...])
                headers[name] = headers[name].map { $0 + ", " + value } ?? value
            }
            throw .malformed("the answer has more than 200 header lines")
        }

        /// Passes on exactly `count` bytes.
        mutating func read(exactly count: Int, into body: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
            var left = count
            while left > 0 {
                if available == 0, !(try fill()) {
                    throw .broken("the connection closed \(left) bytes before the end of the answer")
                }
                let take = min(left, available)
                buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + take)])) }
                start += take
                left -= take
            }
        }

        mutating func readToEnd(into body: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
            while true {
                if available > 0 {
                    buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                    start = buffer.count
                }
                guard try fill() else { return }
            }
        }

        mutating func readChunked(into body: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
            while true {
                let sizeLine = try line()
                let digits = SocketHTTP.trimmed(sizeLine.prefix { $0 != ";" })
                guard let size = Int(digits, radix: 16), size >= 0 else {
                    throw .malformed("a chunk of the answer has no size: \(sizeLine.prefix(80))")
                }
                if size == 0 {
                    // Trailer fields, if any, up to the empty line.
                    while !(try line()).isEmpty {}
                    return
                }
                try read(exactly: size, into: body)
                guard try line().isEmpty else { throw .malformed("a chunk of the answer does not end where its size says") }
            }
        }
    }
}
