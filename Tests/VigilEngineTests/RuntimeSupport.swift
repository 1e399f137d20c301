import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Helpers for the tests of the runtime that runs probes and actions for real.
enum RuntimeSupport {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A fresh folder under the system's temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-runtime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// True while `pid` is a process that has not ended; a zombie waiting for its parent counts as ended.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// The parent of `pid`, or nil when there is no such process (not even a zombie).
    static func parent(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// The process ids printed one per line in `output`.
    static func pids(in output: String) -> [pid_t] {
        output.split(whereSeparator: \.isNewline).compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Waits for `condition`, checking every 50 ms; throws after `limit`.
    static func eventually(
        within limit: Duration = .seconds(120),
        _ what: String,
        _ condition: () throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "\(what) did not happen within \(limit)")
    }

    /// A loopback TCP port that nobody listens on (bound, then released).
    static func unusedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A real Hummingbird server on a loopback port with a few fixed answers, shared by the tests and never stopped.
    ///
    /// `GET /ok` is 200 "fine"; `/down` (GET or POST) is 503 "maintenance"; `POST /echo` returns the request body
    /// and its `X-Probe` header; `GET /big` is 1 MB of "x"; `/slow` (GET or POST) answers after a minute.
    final class StatusServer: Sendable {
        /// Stopping a server by cancelling it while a connection is being accepted trips an assertion in
        /// SwiftNIO's async writer, so one server serves every test until the process ends.
        static let shared = StatusServer()

        /// The shared server, started by the first caller.
        static func running() async throws -> StatusServer {
            try await shared.startOnce()
            return shared
        }

        private let portBox = Mutex<Int?>(nil)
        private let starting = Mutex<Task<Void, any Error>?>(nil)

        var port: Int { portBox.withLock { $0 } ?? 0 }

        func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

        private func startOnce() async throws {
            let start = starting.withLock { task in
                if let task { return task }
                let new = Task { try await self.launch() }
                task = new
                return new
            }
            try await start.value
        }

        private func launch() async throws {
            let router = Router()
            router.get("/ok") { _, _ in "fine" }
            router.get("/down") { _, _ in Self.response(.serviceUnavailable, "maintenance") }
            router.post("/down") { _, _ in Self.response(.serviceUnavailable, "maintenance") }
            router.post("/echo") { request, _ in
                let body = try await request.body.collect(upTo: 1 << 20)
                let header = request.headers[HTTPField.Name("X-Probe")!] ?? "-"
                return Self.response(.ok, "\(header) \(String(buffer: body))")
            }
            router.get("/big") { _, _ in Self.response(.ok, String(repeating: "x", count: 1 << 20)) }
            router.get("/slow") { _, _ in
                try await Task.sleep(for: .seconds(60))
                return "late"
            }
            router.post("/slow") { _, _ in
                try await Task.sleep(for: .seconds(60))
                return "late"
            }
            let app = Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in self.portBox.withLock { $0 = channel.localAddress?.port } },
                logger: Self.quiet
            )
            Task { try await app.runService(gracefulShutdownSignals: []) }
            try await RuntimeSupport.eventually("the test server listening") { self.port != 0 }
        }

        /// The server's own log says nothing about the tests.
        private static let quiet: Logger = {
            var logger = Logger(label: "vigil.tests.status-server")
            logger.logLevel = .critical
            return logger
        }()

        private static func response(_ status: HTTPResponse.Status, _ text: String) -> Response {
            Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// A clock that tests move by hand.
    final class ManualClock: Sendable {
        private let current: Mutex<Date>

        init(_ start: Date) { current = Mutex(start) }

        var now: Date { current.withLock { $0 } }

        func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }
}
