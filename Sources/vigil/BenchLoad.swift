import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif
// epoll's declarations, which Glibc's module leaves out; NIO, which Vigil serves with, brings them.
import CNIOLinux

/// A closed-loop HTTP keep-alive load generator, as wrk is: each connection sends a request, waits for the whole
/// response, and sends the next. Unlike wrk it finishes the requests in flight when time is up, so that it knows
/// exactly how many requests were acknowledged, and the store can be checked against that count.
enum LoadGenerator {
    struct Result {
        /// 2xx responses over the whole run: warm-up, measurement and the requests in flight at the end.
        var acknowledged = 0
        /// Other responses over the whole run.
        var rejected = 0
        /// Requests whose connection failed before an answer came: unknown whether they were stored.
        var lost = 0
        /// 2xx responses that completed within the measured window.
        var measured = 0
        var seconds = 0.0
        /// Latency of every request completed in the measured window, in microseconds, sorted.
        var latencies: [Double] = []

        var rate: Double { Double(measured) / max(seconds, 1e-9) }
    }

    private struct Connection {
        var fd: Int32
        var sentAt: UInt64 = 0
        var waiting = false
        var buffered = 0
        var next: Int
    }

    private final class Collector: Sendable {
        let results = Mutex<[ThreadResult]>([])
        let failure = Mutex<String?>(nil)
        let finished = Mutex(0)
    }

    private struct ThreadResult: Sendable {
        var acknowledged = 0
        var rejected = 0
        var lost = 0
        var measured = 0
        var latencies: [UInt32] = []
    }

    /// Runs `connections` connections over `threads` threads for `warmUp` seconds, then `duration` measured seconds,
    /// then lets the requests in flight finish (at most 30 s). Requests go round-robin over `paths`.
    static func run(
        port: Int, paths: [String], connections: Int, threads: Int, warmUp: Double, duration: Double
    ) async throws -> Result {
        let requests = paths.map { Array("GET \($0) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: vigil-bench\r\n\r\n".utf8) }
        let start = BenchClock.micros()
        let measureFrom = start + UInt64(warmUp * 1e6)
        let measureUntil = measureFrom + UInt64(duration * 1e6)
        let threads = max(1, min(threads, connections))
        let collector = Collector()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for thread in 0..<threads {
                let share = connections / threads + (thread < connections % threads ? 1 : 0)
                let worker = Thread {
                    do {
                        let result = try loop(
                            port: port, requests: requests, connections: share, offset: thread * 7919,
                            measureFrom: measureFrom, measureUntil: measureUntil)
                        collector.results.withLock { $0.append(result) }
                    } catch {
                        collector.failure.withLock { $0 = "\(error)" }
                    }
                    if collector.finished.withLock({ $0 += 1; return $0 }) == threads { continuation.resume() }
                }
                worker.name = "vigil.bench.load"
                worker.start()
            }
        }
        if let message = collector.failure.withLock({ $0 }) { throw BenchError(message) }
        var result = Result(seconds: duration)
        var latencies: [UInt32] = []
        for part in collector.results.withLock({ $0 }) {
            result.acknowledged += part.acknowledged
            result.rejected += part.rejected
            result.lost += part.lost
            result.measured += part.measured
            latencies += part.latencies
        }
        latencies.sort()
        result.latencies = latencies.map(Double.init)
        return result
    }

    private static func loop(
        port: Int, requests: [[UInt8]], connections count: Int, offset: Int, measureFrom: UInt64, measureUntil: UInt64
    ) throws -> ThreadResult {
        var result = ThreadResult()
        var connections: [Connection] = []
        defer { for connection in connections where connection.fd >= 0 { close(connection.fd) } }
        for index in 0..<count {
            guard let fd = BenchHTTP.connect(port: port) else {
                throw BenchError("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
            }
            connections.append(Connection(fd: fd, next: (offset + index * 31) % requests.count))
        }
        var buffers = [[UInt8]](repeating: [UInt8](repeating: 0, count: 16_384), count: count)
        // epoll, as wrk uses: poll(2) over every connection on each turn cost the generator more CPU than the
        // answers it waited for, CPU the server under test then lacked.
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw BenchError("epoll_create1 failed: \(String(cString: strerror(errno)))") }
        defer { close(epoll) }
        func watch(_ index: Int) {
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u32 = UInt32(index)
            epoll_ctl(epoll, EPOLL_CTL_ADD, connections[index].fd, &event)
        }
        for index in connections.indices { watch(index) }
        var events = [epoll_event](repeating: epoll_event(), count: count)
        let drainUntil = measureUntil + 30_000_000

        func send(_ index: Int) -> Bool {
            connections[index].sentAt = BenchClock.micros()
            connections[index].waiting = true
            connections[index].buffered = 0
            let request = requests[connections[index].next]
            connections[index].next = (connections[index].next + 1) % requests.count
            return BenchHTTP.writeAll(connections[index].fd, request)
        }

        for index in connections.indices where !send(index) {
            throw BenchError("cannot send to 127.0.0.1:\(port)")
        }
        while true {
            let now = BenchClock.micros()
            let inFlight = connections.contains { $0.waiting }
            if now >= measureUntil, !inFlight { break }
            if now >= drainUntil {
                result.lost += connections.filter(\.waiting).count
                break
            }
            let ready = Int(epoll_wait(epoll, &events, Int32(events.count), 10))
            if ready < 0, errno != EINTR { throw BenchError("epoll_wait failed: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            for slot in 0..<ready {
                let index = Int(events[slot].data.u32)
                guard connections[index].fd >= 0 else { continue }
                let fd = connections[index].fd
                let filled = connections[index].buffered
                if filled == buffers[index].count { buffers[index] += [UInt8](repeating: 0, count: filled) }
                let got = buffers[index].withUnsafeMutableBytes { raw in
                    read(fd, raw.baseAddress! + filled, raw.count - filled)
                }
                if got <= 0 {
                    // The server closed the connection: a request in flight has an unknown fate.
                    if connections[index].waiting { result.lost += 1 }
                    close(fd)
                    connections[index].fd = -1
                    connections[index].waiting = false
                    if BenchClock.micros() < measureUntil, let fresh = BenchHTTP.connect(port: port) {
                        connections[index].fd = fresh
                        watch(index)
                        if !send(index) { result.lost += 1 }
                    }
                    continue
                }
                connections[index].buffered += got
                guard let parsed = ResponseParser.parse(buffers[index][0..<connections[index].buffered]) else {
                    continue
                }
                let done = BenchClock.micros()
                connections[index].waiting = false
                if (200..<300).contains(parsed.status) {
                    result.acknowledged += 1
                    if done >= measureFrom, done < measureUntil {
                        result.measured += 1
                        result.latencies.append(UInt32(min(done - connections[index].sentAt, UInt64(UInt32.max))))
                    }
                } else {
                    result.rejected += 1
                }
                if done < measureUntil, !send(index) {
                    result.lost += 1
                    connections[index].waiting = false
                }
            }
        }
        return result
    }
}

