import Foundation
import HTTPTypes
import NIOCore
import VigilCore
import VigilEngine

/// Answers plain pings straight from a connection's bytes, ahead of NIO's HTTP/1 decoder: the ping path a monitored
/// job or agent hammers, at the cost of reading one request shape and writing one answer.
///
/// A connection starts here and stays while it sends plain pings (`PlainRequestHead`, `PingRequest.plain`). Its
/// first request of any other kind — another route, a body, `Connection: close`, a head this reader does not fully
/// understand — makes the handler step aside for good: once the ping before it is answered, what the handler holds
/// goes to the HTTP/1 pipeline behind it, which reads it as if it had come from the socket. Answers are the router's
/// own (`PingAnswer`), in order: one ping at a time is taken, and reading pauses while it is made durable if the
/// client has sent far ahead.
final class PingWire: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let engine: Engine
    private let bodyLimit: Int
    /// Bytes read and not yet taken as a request.
    private var pending: ByteBuffer?
    /// A ping waits for the store.
    private var waiting = false
    /// The pipeline asked for more while a ping waited.
    private var readPaused = false
    private var leaving = false
    /// The last ping's user agent and `PingController.source` of it: a connection's pings come from one sender.
    private var source: (agent: String?, text: String)?
    private var mailbox: LoopMailbox?
    /// The answer to an accepted ping with its body and without, made again when the `Date` changes.
    private var accepted: (date: String, withBody: ByteBuffer, withoutBody: ByteBuffer)?

    init(engine: Engine, bodyLimit: Int) {
        self.engine = engine
        self.bodyLimit = bodyLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !leaving else {
            context.fireChannelRead(data)
            return
        }
        if pending == nil {
            pending = bytes
        } else {
            pending!.writeBuffer(&bytes)
        }
        if !waiting { serve(context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Nothing was passed on while the connection is ours.
        if leaving { context.fireChannelReadComplete() }
    }

    func read(context: ChannelHandlerContext) {
        // Reading goes on while a ping waits, as a client that waits for each answer sends nothing meanwhile: pausing
        // would cost two `epoll_ctl` calls a ping. Only a client that sends ahead is held back, once it is far ahead.
        if waiting, let pending, pending.readableBytes > Self.aheadLimit { readPaused = true } else { context.read() }
    }

    /// Bytes of requests read ahead of the ping that waits, past which reading pauses.
    private static let aheadLimit = 16_384

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        if let rest = pending, rest.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(rest))
            context.fireChannelReadComplete()
        }
        pending = nil
        if readPaused {
            readPaused = false
            context.read()
        }
        context.leavePipeline(removalToken: removalToken)
    }

    /// Answers the requests read so far, one after another, until one must wait for the store or is not ours.
    private func serve(context: ChannelHandlerContext) {
        while !waiting, !leaving, let buffer = pending, buffer.readableBytes > 0 {
            let reading = buffer.withUnsafeReadableBytes { PlainRequestHead.read($0) }
            switch reading {
            case .incomplete:
                return
            case .other:
                leave(context: context)
            case .plain(let head, let length):
                guard let ping = PingRequest.plain(target: head.target) else {
                    leave(context: context)
                    return
                }
                pending!.moveReaderIndex(forwardBy: length)
                // Let go of a buffer read to its end, so that NIO can read into it again.
                if pending!.readableBytes == 0 { pending = nil }
                receive(ping, head: head, context: context)
            }
        }
    }

    private func leave(context: ChannelHandlerContext) {
        leaving = true
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func receive(_ ping: PingRequest, head: PlainRequestHead, context: ChannelHandlerContext) {
        if source == nil || source!.agent != head.userAgent {
            let address = context.channel.remoteAddress?.ipAddress
            source = (head.userAgent, PingController.source(address: address, agent: head.userAgent))
        }
        let signal = Signal(
            kind: ping.path.kind, at: Date(), value: ping.value, runID: ping.runID, body: nil, source: source!.text
        )
        waiting = true
        let withBody = head.method != .head
        if mailbox == nil { mailbox = LoopMailbox.of(context.eventLoop) }
        let mailbox = mailbox!
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        engine.receive(signal, for: ping.path.target) { result in
            // nil: accepted, answered with `PingAnswer.ok`.
            let refusal: PingAnswer?
            switch result {
            case .success: refusal = nil
            case .failure(let error): refusal = PingAnswer(refusal: error)
            }
            mailbox.post {
                let (handler, context) = bound.value
                handler.send(refusal, withBody: withBody, context: context)
            }
        }
    }

    /// Answers the ping that waited: `PingAnswer.ok`, or `refusal`.
    private func send(_ refusal: PingAnswer?, withBody: Bool, context: ChannelHandlerContext) {
        let out: ByteBuffer
        if let refusal {
            var buffer = context.channel.allocator.buffer(capacity: 256)
            refusal.write(bodyLimit: bodyLimit, date: HTTPDate.now(), withBody: withBody, into: &buffer)
            out = buffer
        } else {
            out = acceptedAnswer(withBody: withBody, allocator: context.channel.allocator)
        }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(out)), promise: nil)
        waiting = false
        guard context.channel.isActive else { return }
        serve(context: context)
        if !waiting, !leaving, readPaused {
            readPaused = false
            context.read()
        }
    }

    /// The bytes of `PingAnswer.ok`, shared by every accepted ping of the connection within a second.
    private func acceptedAnswer(withBody: Bool, allocator: ByteBufferAllocator) -> ByteBuffer {
        let date = HTTPDate.now()
        if accepted?.date != date {
            var with = allocator.buffer(capacity: 256)
            PingAnswer.ok.write(bodyLimit: bodyLimit, date: date, withBody: true, into: &with)
            var without = allocator.buffer(capacity: 256)
            PingAnswer.ok.write(bodyLimit: bodyLimit, date: date, withBody: false, into: &without)
            accepted = (date, with, without)
        }
        return withBody ? accepted!.withBody : accepted!.withoutBody
    }
}

extension PingAnswer {
    /// The whole answer as HTTP/1.1 bytes, with the fields the router's answer has and those of the transport.
    func write(bodyLimit: Int, date: String, withBody: Bool, into out: inout ByteBuffer) {
        out.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for field in fields(bodyLimit: bodyLimit) {
            out.writeString("\(field.name.rawName): \(field.value)\r\n")
        }
        out.writeString("Content-Length: \(text.utf8.count)\r\nDate: \(date)\r\nServer: Vigil\r\n\r\n")
        if withBody { out.writeString(text) }
    }
}
