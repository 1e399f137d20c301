import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import Synchronization
import VigilCore
import VigilEngine

/// Answers plain pings — GET, HEAD or POST of `/ping/<uuid or ping key/slug>…` or `/<uuid>…` with no body — on the
/// connection's event loop, before they reach the router; every other request passes through untouched.
///
/// Through the router a ping crosses four threads (event loop, the connection's task, the store's writer, the task
/// again) and costs a request, a response, a route lookup and a logger; here it crosses two (event loop, writer).
/// The answers are the router's own (`PingRequest`, `PingAnswer`), and the order of answers on a connection is kept:
/// a ping waits until the router has answered every request before it, and while a ping is made durable the
/// requests after it wait, with reading paused.
final class PingFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Whose request is being read.
    private enum Reading {
        case between
        case forwarded
        case own
    }

    private let engine: Engine
    private let bodyLimit: Int
    private var reading = Reading.between
    /// Requests passed to the router that it has not finished answering.
    private var routerOpen = 0
    /// A ping of ours waits for the store.
    private var pingOpen = false
    /// Parts that arrived while they had to wait, in order.
    private var held = CircularBuffer<HTTPRequestPart>()
    /// The pipeline asked for more while parts were held.
    private var readPaused = false

    init(engine: Engine, bodyLimit: Int) {
        self.engine = engine
        self.bodyLimit = bodyLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if held.isEmpty, take(part, context: context) != .waits { return }
        held.append(part)
    }

    func read(context: ChannelHandlerContext) {
        // Held parts are a backlog already: reading more would only grow it.
        if held.isEmpty { context.read() } else { readPaused = true }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        context.write(data, promise: promise)
        guard case .end = part else { return }
        routerOpen -= 1
        if routerOpen == 0, !held.isEmpty {
            // Not from inside the router's write: hand it the next request on a fresh turn of the loop.
            context.eventLoop.assumeIsolated().execute { self.release(context: context) }
        }
    }

    /// What became of a request part.
    private enum Taken {
        case waits
        case answered
        case forwarded
    }

    /// Handles a part now, or says that it must wait.
    private func take(_ part: HTTPRequestPart, context: ChannelHandlerContext) -> Taken {
        switch part {
        case .head(let head):
            if pingOpen { return .waits }
            guard let ping = Self.plainPing(head) else {
                reading = .forwarded
                routerOpen += 1
                context.fireChannelRead(wrapInboundOut(part))
                return .forwarded
            }
            if routerOpen > 0 { return .waits }
            reading = .own
            pingOpen = true
            receive(ping, head: head, context: context)
            return .answered
        case .body:
            // A plain ping has no body, so only forwarded requests have one.
            guard reading == .forwarded else { return .answered }
            context.fireChannelRead(wrapInboundOut(part))
            return .forwarded
        case .end:
            defer { reading = .between }
            guard reading == .forwarded else { return .answered }
            context.fireChannelRead(wrapInboundOut(part))
            return .forwarded
        }
    }

    /// Hands on the parts that waited, as far as they may go now.
    private func release(context: ChannelHandlerContext) {
        var forwarded = false
        while let part = held.first {
            let taken = take(part, context: context)
            if taken == .waits { break }
            held.removeFirst()
            if taken == .forwarded { forwarded = true }
        }
        // The router reads what it was given when a read completes.
        if forwarded { context.fireChannelReadComplete() }
        if held.isEmpty, readPaused {
            readPaused = false
            context.read()
        }
    }

    private func receive(_ ping: PingRequest, head: HTTPRequest, context: ChannelHandlerContext) {
        let signal = Signal(
            kind: ping.path.kind, at: Date(), value: ping.value, runID: ping.runID, body: nil,
            source: PingController.source(
                address: context.channel.remoteAddress?.ipAddress, agent: head.headerFields[.userAgent])
        )
        let isHead = head.method == .head
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        engine.receive(signal, for: ping.path.target) { result in
            let answer: PingAnswer
            switch result {
            case .success: answer = .ok
            case .failure(let error): answer = PingAnswer(refusal: error)
            }
            loop.execute {
                let (handler, context) = bound.value
                handler.send(answer, withBody: !isHead, context: context)
            }
        }
    }

    private func send(_ answer: PingAnswer, withBody: Bool, context: ChannelHandlerContext) {
        var fields = answer.fields(bodyLimit: bodyLimit)
        fields[.contentLength] = String(answer.text.utf8.count)
        fields[.date] = HTTPDate.now()
        fields[.server] = "Vigil"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        if withBody { context.write(wrapOutboundOut(.body(ByteBuffer(string: answer.text))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        pingOpen = false
        release(context: context)
    }

    /// The ping in `head` when this path may answer it: GET, HEAD or POST (what `vigil ping` sends; the router too
    /// keeps an empty body as none) without a body, the connection kept, a ping URL
    /// that parses and does not ask to create its monitor. Anything else is the router's, which answers it the
    /// same way or knows more (bodies, closing, other routes).
    static func plainPing(_ head: HTTPRequest) -> PingRequest? {
        guard head.method == .get || head.method == .head || head.method == .post, let target = head.path else {
            return nil
        }
        let fields = head.headerFields
        if let length = fields[.contentLength], length != "0" { return nil }
        if fields[.transferEncoding] != nil { return nil }
        // `close` and any other token (upgrade, a list) are the router's.
        if let connection = fields[.connection], connection.lowercased() != "keep-alive" { return nil }
        return PingRequest.plain(target: target)
    }
}

/// The `Date` header's text, made once a second.
enum HTTPDate {
    private static let cache = Mutex<(second: Int, text: String)>((second: -1, text: ""))

    static func now() -> String {
        let second = Int(time(nil))
        return cache.withLock { cache in
            if cache.second != second {
                cache = (second, format(second))
            }
            return cache.text
        }
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate (RFC 9110), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func format(_ second: Int) -> String {
        var clock = time_t(second)
        var parts = tm()
        gmtime_r(&clock, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
