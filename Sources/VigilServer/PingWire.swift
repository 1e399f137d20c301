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
/// own (`PingAnswer`), in order: one ping at a time is read, and reading pauses while it is made durable.
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
    /// `PingController.source` without the user agent: the peer's address, the same for every ping of the connection.
    private var peer: String?

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
        if pending == nil || pending!.readableBytes == 0 {
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
        if waiting { readPaused = true } else { context.read() }
    }

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
                receive(ping, head: head, context: context)
            }
        }
    }

    private func leave(context: ChannelHandlerContext) {
        leaving = true
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func receive(_ ping: PingRequest, head: PlainRequestHead, context: ChannelHandlerContext) {
        if peer == nil { peer = context.channel.remoteAddress?.ipAddress ?? "" }
        let signal = Signal(
            kind: ping.path.kind, at: Date(), value: ping.value, runID: ping.runID, body: nil,
            source: PingController.source(address: peer.flatMap { $0.isEmpty ? nil : $0 }, agent: head.userAgent)
        )
        waiting = true
        let withBody = head.method != .head
        let mailbox = LoopMailbox.of(context.eventLoop)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        engine.receive(signal, for: ping.path.target) { result in
            let answer: PingAnswer
            switch result {
            case .success: answer = .ok
            case .failure(let error): answer = PingAnswer(refusal: error)
            }
            mailbox.post {
                let (handler, context) = bound.value
                handler.send(answer, withBody: withBody, context: context)
            }
        }
    }

    private func send(_ answer: PingAnswer, withBody: Bool, context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: 256)
        answer.write(bodyLimit: bodyLimit, withBody: withBody, into: &out)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(out)), promise: nil)
        waiting = false
        guard context.channel.isActive else { return }
        serve(context: context)
        if !waiting, !leaving, readPaused {
            readPaused = false
            context.read()
        }
    }
}

extension PingAnswer {
    /// The whole answer as HTTP/1.1 bytes, with the fields the router's answer has and those of the transport.
    func write(bodyLimit: Int, withBody: Bool, into out: inout ByteBuffer) {
        out.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for field in fields(bodyLimit: bodyLimit) {
            out.writeString("\(field.name.rawName): \(field.value)\r\n")
        }
        out.writeString("Content-Length: \(text.utf8.count)\r\nDate: \(HTTPDate.now())\r\nServer: Vigil\r\n\r\n")
        if withBody { out.writeString(text) }
    }
}
