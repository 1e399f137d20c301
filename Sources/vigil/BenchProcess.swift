import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program the benchmarks start (`vigil serve`, nginx), with its output in a file and its resource use in reach.
final class BenchChild: @unchecked Sendable {
    let process = Process()
    let logFile: URL
    let name: String

    /// Starts `executable` with `arguments`; its standard output and error go to `logFile`.
    init(_ name: String, _ executable: URL, _ arguments: [String], logFile: URL) throws {
        self.name = name
        self.logFile = logFile
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw BenchError("cannot start \(name) (\(executable.path)): \(error.localizedDescription)")
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Resident memory in bytes (VmRSS), 0 when the process is gone.
    func residentBytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes * 1024
    }

    /// CPU seconds used so far, user and system, from /proc.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Kills the program at once (SIGKILL), as a crash would, and waits until it is gone.
    func crash() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// The last lines the program wrote, for error messages.
    func logTail(_ lines: Int = 8) -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Asks the program to stop (SIGTERM), then kills it after `grace` seconds; waits until it is gone.
    func stop(grace: Double = 10) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = BenchClock.now() + grace
        while process.isRunning, BenchClock.now() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Blocking HTTP/1.1 over loopback sockets: small, with no event loop of its own, so it measures the server.
enum BenchHTTP {
    /// A port that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchError("cannot bind a loopback port: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A connected socket to 127.0.0.1:`port` with Nagle's algorithm off; nil when nobody listens.
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    struct Reply {
        var status: Int
        var body: [UInt8]
    }

    /// Sends one request on a fresh connection and reads the whole response; nil when the connection failed.
    static func request(port: Int, method: String = "GET", path: String, headers: [String: String] = [:]) -> Reply? {
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request = Array(
            "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(extra)\r\n".utf8)
        guard writeAll(fd, request) else { return nil }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let parsed = ResponseParser.parse(buffer[...]) {
                return Reply(status: parsed.status, body: Array(buffer[parsed.headerLength..<parsed.totalLength]))
            }
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }

    /// Waits until `GET /health` (or `path`) answers 200; returns false after `timeout` seconds.
    static func waitUntilServing(port: Int, path: String = "/health", timeout: Double, child: BenchChild?) -> Bool {
        let deadline = BenchClock.now() + timeout
        while BenchClock.now() < deadline {
            if let reply = request(port: port, path: path), reply.status == 200 { return true }
            if let child, !child.process.isRunning { return false }
            usleep(5_000)
        }
        return false
    }
}

/// Finds where an HTTP/1.1 response ends: its status, the length of its head and of the whole response.
enum ResponseParser {
    struct Parsed {
        var status: Int
        var headerLength: Int
        var totalLength: Int
    }

    /// Nil while the response is incomplete; the body length comes from Content-Length (0 without one).
    static func parse(_ bytes: ArraySlice<UInt8>) -> Parsed? {
        let base = bytes.startIndex
        guard bytes.count >= 16 else { return nil }
        var end = -1
        var index = base
        while index + 3 < bytes.endIndex {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 {
                end = index + 4
                break
            }
            index += 1
        }
        guard end > 0 else { return nil }
        // "HTTP/1.1 200 OK": the status is the three digits after the first space.
        let status = (9..<12).reduce(0) { $0 * 10 + Int(bytes[base + $1]) - 48 }
        let length = contentLength(bytes[base..<end])
        let total = end - base + length
        guard bytes.count >= total else { return nil }
        return Parsed(status: status, headerLength: end - base, totalLength: total)
    }

    private static func contentLength(_ head: ArraySlice<UInt8>) -> Int {
        let name = Array("content-length:".utf8)
        var index = head.startIndex
        while index + name.count < head.endIndex {
            // Each header starts after a line feed.
            if head[index] == 10 {
                var matches = true
                for offset in 0..<name.count where head[index + 1 + offset] | 0x20 != name[offset] | 0x20 {
                    matches = false
                    break
                }
                if matches {
                    var value = 0
                    var cursor = index + 1 + name.count
                    while cursor < head.endIndex, head[cursor] == 32 { cursor += 1 }
                    while cursor < head.endIndex, head[cursor] >= 48, head[cursor] <= 57 {
                        value = value * 10 + Int(head[cursor]) - 48
                        cursor += 1
                    }
                    return value
                }
            }
            index += 1
        }
        return 0
    }
}

/// Runs a short command to its end and times it with no polling in between: Foundation's `waitUntilExit` checks
/// only every 50 ms, too coarse for a command that takes a few milliseconds.
enum BenchSpawn {
    /// Runs `argv` with standard output and error to `output`; returns its exit status and wall time in seconds.
    static func run(_ argv: [String], output: String) throws -> (status: Int32, seconds: Double) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let begin = BenchClock.now()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        guard spawned == 0 else { throw BenchError("cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let seconds = BenchClock.now() - begin
        return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), seconds)
    }
}
