import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VigilCore

/// Carries out recovery actions: commands through a `ProcessRunner`, HTTP requests through AsyncHTTPClient, and
/// pausing, resuming and notifying through functions that the engine provides.
public struct ActionRunner: Sendable {
    /// Carries out a `pause`, `resume` or `notify` action; its argument is the monitor's slug or the message.
    public typealias Effect = @Sendable (String) async -> ActionOutcome

    let processRunner: ProcessRunner
    let client: HTTPClient
    let bodyLimit: Int
    let pause: Effect
    let resume: Effect
    let notify: Effect
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - processRunner: runs `run` actions; default one with a 2 s kill grace.
    ///   - client: for `http` actions; default `OutboundHTTP.client`.
    ///   - bodyLimit: the most bytes of a response body kept in the outcome; default 64 kB.
    ///   - pause: pauses the monitor with the given slug.
    ///   - resume: resumes the monitor with the given slug.
    ///   - notify: sends the message through the escalation channels.
    ///   - now: the clock for `startedAt` and `finishedAt` of HTTP requests; default the system's.
    public init(
        processRunner: ProcessRunner = ProcessRunner(),
        client: HTTPClient = OutboundHTTP.client,
        bodyLimit: Int = 65_536,
        pause: @escaping Effect,
        resume: @escaping Effect,
        notify: @escaping Effect,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.processRunner = processRunner
        self.client = client
        self.bodyLimit = bodyLimit
        self.pause = pause
        self.resume = resume
        self.notify = notify
        self.now = now
    }

    /// Runs `action` once and reports what came of it; a command or request is bounded by the action's timeout.
    public func run(_ action: Action) async -> ActionOutcome {
        switch action.kind {
        case .run(let command):
            await processRunner.run(command, timeout: action.timeout)
        case .http(let request):
            await send(request, timeout: action.timeout)
        case .pause(let monitor):
            await pause(monitor)
        case .resume(let monitor):
            await resume(monitor)
        case .notify(let message):
            await notify(message)
        }
    }

    func send(_ spec: HTTPRequestSpec, timeout: TimeInterval) async -> ActionOutcome {
        let startedAt = now()
        let target = "\(spec.method.uppercased()) \(spec.url.absoluteString)"
        var request = HTTPClientRequest(url: spec.url.absoluteString)
        request.method = HTTPMethod(rawValue: spec.method.uppercased())
        for (name, value) in spec.headers { request.headers.add(name: name, value: value) }
        if !request.headers.contains(name: "User-Agent") { request.headers.add(name: "User-Agent", value: "Vigil") }
        if let body = spec.body { request.body = .bytes(ByteBuffer(string: body)) }
        let (client, limit, prepared) = (self.client, bodyLimit, request)
        let status: ActionOutcome.Status
        let code: Int?
        let output: String
        do {
            let answer = try await TimeLimit.run(within: timeout) {
                let response = try await client.execute(prepared, timeout: TimeLimit.clientTimeout(timeout))
                // Keep the start of the body and discard the rest, so that a large answer costs no memory.
                var kept = ByteBuffer()
                for try await part in response.body where kept.readableBytes < limit {
                    var part = part
                    if let slice = part.readSlice(length: min(part.readableBytes, limit - kept.readableBytes)) {
                        kept.writeImmutableBuffer(slice)
                    }
                }
                return (Int(response.status.code), String(buffer: kept))
            }
            if let (received, body) = answer {
                status = spec.expect.contains(received) ? .succeeded : .failed
                code = received
                output = body
            } else {
                status = .timedOut
                code = nil
                output = "\(target): no answer within \(TimeLimit.format(timeout))"
            }
        } catch {
            status = .failed
            code = nil
            output = "\(target): \(NetworkFailure.describe(error))"
        }
        return ActionOutcome(status: status, code: code, output: output, startedAt: startedAt, finishedAt: now())
    }
}
