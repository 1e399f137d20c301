import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import VigilCore

/// Tests capabilities for real — commands, HTTP, TCP, files, expiry dates — and keeps each result for the
/// capability's `ttl`.
public final class ProbeRunner: Sendable {
    struct Cached {
        var probe: Probe
        var result: ProbeResult
        var validUntil: Date
    }

    let processRunner: ProcessRunner
    let client: HTTPClient
    let logger: Logger
    let now: @Sendable () -> Date
    private let cache = Mutex<[String: Cached]>([:])

    /// The most bytes of a command probe's output that are read for its reason or its date.
    static let outputLimit = 64 * 1024

    /// - Parameters:
    ///   - processRunner: runs command probes; default one with a 2 s kill grace.
    ///   - client: for HTTP probes; default `OutboundHTTP.client`.
    ///   - now: the clock for `checkedAt`, the cache and expiry; default the system's.
    public init(
        processRunner: ProcessRunner = ProcessRunner(),
        client: HTTPClient = OutboundHTTP.client,
        logger: Logger = Logger(label: "vigil.probes"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.processRunner = processRunner
        self.client = client
        self.logger = logger
        self.now = now
    }

    /// The capability's state: the cached result while it is younger than the capability's `ttl`, else a new probe.
    ///
    /// - Parameter useCache: false probes now whatever the cache holds; default true. The new result is cached.
    public func probe(_ capability: Capability, useCache: Bool = true) async -> ProbeResult {
        if useCache, let cached = cachedResult(for: capability) { return cached }
        let result = await check(capability)
        if capability.ttl > 0 {
            let entry = Cached(
                probe: capability.probe, result: result, validUntil: result.checkedAt.addingTimeInterval(capability.ttl)
            )
            cache.withLock { $0[capability.name] = entry }
        }
        if result.status != .available {
            logger.debug(
                "capability not available",
                metadata: [
                    "vigil.capability": "\(capability.name)", "vigil.status": "\(result.status.rawValue)",
                    "vigil.reason": "\(result.reason)",
                ]
            )
        }
        return result
    }

    /// Probes the capabilities in parallel, each with its own timeout; the results by capability name.
    public func probe(_ capabilities: [Capability], useCache: Bool = true) async -> [String: ProbeResult] {
        var unique: [String: Capability] = [:]
        for capability in capabilities { unique[capability.name] = capability }
        return await withTaskGroup(of: ProbeResult.self) { group in
            for capability in unique.values {
                group.addTask { await self.probe(capability, useCache: useCache) }
            }
            var results: [String: ProbeResult] = [:]
            for await result in group { results[result.capability] = result }
            return results
        }
    }

    /// The cached result for `capability`, if it is still within its `ttl` and the probe has not changed.
    public func cachedResult(for capability: Capability) -> ProbeResult? {
        let current = now()
        return cache.withLock { entries in
            guard let entry = entries[capability.name], entry.probe == capability.probe, current < entry.validUntil
            else { return nil }
            return entry.result
        }
    }

    /// Forgets the cached result of one capability, so that the next `probe` runs it.
    public func invalidate(_ capabilityName: String) {
        _ = cache.withLock { $0.removeValue(forKey: capabilityName) }
    }

    /// Forgets every cached result.
    public func invalidateAll() {
        cache.withLock { $0.removeAll() }
    }

    /// Probes `capability` now, bypassing and not touching the cache.
    public func check(_ capability: Capability) async -> ProbeResult {
        let (status, reason) = await check(capability.probe)
        return ProbeResult(capability: capability.name, status: status, reason: reason, checkedAt: now())
    }

    func check(_ probe: Probe) async -> (ProbeResult.Status, String) {
        switch probe {
        case .command(let argv, let timeout):
            await checkCommand(argv, timeout: timeout)
        case .http(let url, let expect, let timeout):
            await checkHTTP(url, expect: expect, timeout: timeout)
        case .tcp(let host, let port, let timeout):
            await checkTCP(host: host, port: port, timeout: timeout)
        case .file(let path, let maxAge):
            checkFile(path, maxAge: maxAge)
        case .expires(let source, let warnBefore, let timeout):
            await checkExpiry(source, warnBefore: warnBefore, timeout: timeout)
        }
    }
}

// MARK: - The kinds of probe

extension ProbeRunner {
    func checkCommand(_ argv: [String], timeout: TimeInterval) async -> (ProbeResult.Status, String) {
        switch await runCommand(argv, timeout: timeout) {
        case .success(let head): (.available, Self.firstLine(of: head) ?? "exit 0")
        case .failure(let failure): (.blocked, failure.reason)
        }
    }

    /// Why a probe's command did not succeed, in the words a diagnosis shows.
    struct CommandFailure: Error {
        var reason: String
        /// False when the command never ran to an exit (timeout, could not start): no prefix explains it better.
        var exited: Bool
    }

    /// Runs a probe's command; on exit 0 its first output bytes, else the reason (its first line when it printed one).
    func runCommand(_ argv: [String], timeout: TimeInterval) async -> Result<[UInt8], CommandFailure> {
        let command = CommandSpec(argv: argv, outputLimit: Self.outputLimit)
        let completion = await processRunner.execute(command, timeout: timeout, headLimit: Self.outputLimit)
        if completion.timedOut {
            return .failure(CommandFailure(reason: "timed out after \(TimeLimit.format(timeout))", exited: false))
        }
        let line = Self.firstLine(of: completion.head)
        switch completion.end {
        case .notStarted(let message):
            return .failure(CommandFailure(reason: message, exited: false))
        case .exited(0):
            return .success(completion.head)
        case .exited(let status):
            return .failure(CommandFailure(reason: line ?? "exit status \(status)", exited: true))
        case .signaled(let signal):
            return .failure(CommandFailure(reason: line ?? "killed by signal \(signal)", exited: true))
        }
    }

    func checkHTTP(_ url: URL, expect: ClosedRange<Int>, timeout: TimeInterval) async -> (ProbeResult.Status, String) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "Vigil")
        let (client, prepared) = (self.client, request)
        do {
            let code = try await TimeLimit.run(within: timeout) {
                let response = try await client.execute(prepared, timeout: TimeLimit.clientTimeout(timeout))
                // Drain a little of the body so that the connection can be reused; the status is the answer.
                _ = try? await response.body.collect(upTo: 64 * 1024)
                return Int(response.status.code)
            }
            guard let code else { return (.blocked, "timed out after \(TimeLimit.format(timeout))") }
            if expect.contains(code) { return (.available, "HTTP \(code)") }
            return (.blocked, "HTTP \(code), expected \(expect.lowerBound)...\(expect.upperBound)")
        } catch {
            return (.blocked, NetworkFailure.describe(error))
        }
    }

    func checkTCP(host: String, port: Int, timeout: TimeInterval) async -> (ProbeResult.Status, String) {
        let target = "\(host):\(port)"
        guard (1...65535).contains(port) else { return (.blocked, "\(target): not a TCP port") }
        do {
            // The time limit also covers name resolution, which the connect timeout does not.
            let connected = try await TimeLimit.run(within: timeout) {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.milliseconds(Int64(max(1, TimeLimit.bounded(timeout) * 1000))))
                    .connect(host: host, port: port)
                    .get()
                try? await channel.close()
                return true
            }
            guard connected != nil else { return (.blocked, "\(target): timed out after \(TimeLimit.format(timeout))") }
            return (.available, "\(target): connected")
        } catch {
            return (.blocked, "\(target): \(NetworkFailure.describe(error))")
        }
    }

    func checkFile(_ path: String, maxAge: TimeInterval?) -> (ProbeResult.Status, String) {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            return (.blocked, exists ? "\(path): cannot read its attributes" : "\(path): no such file")
        }
        guard let maxAge else { return (.available, "\(path) exists") }
        guard let modified = attributes[.modificationDate] as? Date else {
            return (.blocked, "\(path): no modification time")
        }
        let age = max(0, now().timeIntervalSince(modified))
        if age > maxAge {
            return (
                .blocked,
                "\(path): not modified for \(DurationFormat.format(age)) (limit \(DurationFormat.format(maxAge)))"
            )
        }
        return (.available, "\(path): modified \(DurationFormat.format(age)) ago")
    }

    func checkExpiry(_ source: ExpirySource, warnBefore: TimeInterval, timeout: TimeInterval) async
        -> (ProbeResult.Status, String)
    {
        let expiry: Date
        switch source {
        case .date(let date):
            expiry = date
        case .command(let argv):
            let head: [UInt8]
            switch await runCommand(argv, timeout: timeout) {
            case .success(let output):
                head = output
            case .failure(let failure):
                return (.blocked, failure.exited ? "cannot read the expiry: \(failure.reason)" : failure.reason)
            }
            guard let date = ExpiryDate.parse(String(decoding: head, as: UTF8.self)) else {
                return (.blocked, "no expiry date in the output of \(argv.first ?? "the command")")
            }
            expiry = date
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else { return (.blocked, "\(path): cannot be read") }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: Self.outputLimit)) ?? Data()
            guard let date = ExpiryDate.parse(String(decoding: data, as: UTF8.self)) else {
                return (.blocked, "\(path): no expiry date in it")
            }
            expiry = date
        }
        let remaining = expiry.timeIntervalSince(now())
        let when = ExpiryDate.format(expiry)
        if remaining <= 0 { return (.blocked, "expired at \(when)") }
        let text = "expires in \(ExpiryDate.approximate(remaining)) (\(when))"
        return remaining <= warnBefore ? (.expiring, text) : (.available, text)
    }

    /// The first line of output with something on it, trimmed and cut to 200 characters.
    static func firstLine(of output: [UInt8]) -> String? {
        let text = String(decoding: output, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { return String(trimmed.prefix(200)) }
        }
        return nil
    }
}

/// Reads expiry dates as tools print them: ISO 8601, or `notAfter=Nov 29 10:00:00 2027 GMT` from
/// `openssl x509 -enddate -noout`.
enum ExpiryDate {
    /// The first date found in `text`, line by line.
    static func parse(_ text: String) -> Date? {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let range = trimmed.range(of: "notAfter=") {
                if let date = parseOpenSSL(String(trimmed[range.upperBound...])) { return date }
                continue
            }
            if let date = parseISO(trimmed) { return date }
            for word in trimmed.split(separator: " ") {
                if let date = parseISO(String(word)) { return date }
            }
        }
        return nil
    }

    /// `Nov 29 10:00:00 2027 GMT` (the day may be padded with a space).
    static func parseOpenSSL(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count >= 4 else { return nil }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard let month = months.firstIndex(of: parts[0].lowercased()), let day = Int(parts[1]),
            let year = Int(parts[3])
        else { return nil }
        let clock = parts[2].split(separator: ":").map { Int($0) }
        guard clock.count == 3, let hour = clock[0], let minute = clock[1], let second = clock[2] else { return nil }
        if parts.count > 4, !["GMT", "UTC", "Z"].contains(parts[4].uppercased()) { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second
        )
        return calendar.date(from: components)
    }

    static func parseISO(_ text: String) -> Date? {
        guard text.count >= 10, text.first?.isNumber == true else { return nil }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    /// The remaining time in its largest unit, rounded to the nearest: "3d", "5h", "10m", "30s".
    static func approximate(_ seconds: TimeInterval) -> String {
        for (unit, symbol) in [(86_400.0, "d"), (3_600.0, "h"), (60.0, "m")] where seconds >= unit {
            return "\(Int((seconds / unit).rounded()))\(symbol)"
        }
        return "\(Int(seconds.rounded()))s"
    }
}
