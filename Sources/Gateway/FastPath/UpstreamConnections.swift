import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOPosix

/// Keep-alive HTTP/1.1 connections to upstream instances, owned by one event loop: the fast path only asks for
/// them on that loop, so a request and its upstream call never leave the thread they arrived on.
final class UpstreamConnections: @unchecked Sendable {
    // @unchecked: `idle` is only read and written on `loop` (every method asserts it); the class is shared
    // between the handlers of that loop's connections.
    let loop: any EventLoop
    private var idle: [String: [UpstreamConnection]] = [:]
    let maxIdlePerInstance = 256

    init(loop: any EventLoop) {
        self.loop = loop
    }

    /// An idle connection to `host:port` (unless `fresh`), or a new one.
    func acquire(host: String, port: Int, connectTimeout: TimeAmount, fresh: Bool = false) -> EventLoopFuture<UpstreamConnection> {
        loop.preconditionInEventLoop()
        let key = "\(host):\(port)"
        while !fresh, let connection = idle[key]?.popLast() {
            if connection.channel.isActive { return loop.makeSucceededFuture(connection.reused()) }
        }
        return ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandlers([HTTP1ToHTTPClientCodec(), UpstreamConnectionHandler()])
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self)
                return UpstreamConnection(key: key, channel: channel, handler: handler)
            }
    }

    /// Gives a connection back after a complete, keep-alive exchange; otherwise closes it.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        loop.preconditionInEventLoop()
        connection.handler.delegate = nil
        guard reusable, connection.channel.isActive, (idle[connection.key]?.count ?? 0) < maxIdlePerInstance else {
            connection.channel.close(promise: nil)
            return
        }
        idle[connection.key, default: []].append(connection)
    }
}

/// One upstream connection and the handler that passes its response parts to the exchange using it.
struct UpstreamConnection: @unchecked Sendable {
    // @unchecked: the handler is only touched on the channel's event loop, which is the pool's loop.
    let key: String
    let channel: any Channel
    let handler: UpstreamConnectionHandler
    /// Taken from the idle list: the upstream may have closed it a moment ago without our having seen it yet.
    var wasIdle = false

    func reused() -> UpstreamConnection {
        var copy = self
        copy.wasIdle = true
        return copy
    }

    func send(_ request: HTTPRequest, to delegate: any UpstreamResponseDelegate) {
        handler.delegate = delegate
        channel.write(HTTPRequestPart.head(request), promise: nil)
        channel.writeAndFlush(HTTPRequestPart.end(nil), promise: nil)
    }
}

/// Receives an upstream response.
protocol UpstreamResponseDelegate: AnyObject {
    func upstreamHead(_ response: HTTPResponse)
    func upstreamBody(_ buffer: ByteBuffer)
    func upstreamEnd()
    func upstreamReadComplete()
    func upstreamFailed(_ error: any Error)
}

final class UpstreamConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPResponsePart
    weak var delegate: (any UpstreamResponseDelegate)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            // 1xx interim answers are not passed on (the fast path sends no `Expect`).
            if response.status.kind != .informational { delegate?.upstreamHead(response) }
        case .body(let buffer): delegate?.upstreamBody(buffer)
        case .end:
            let delegate = self.delegate
            self.delegate = nil
            delegate?.upstreamEnd()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(UpstreamError.broken(String(describing: error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(UpstreamError.broken("the upstream closed the connection"))
        context.fireChannelInactive()
    }

    private func fail(_ error: any Error) {
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamFailed(error)
    }
}

enum UpstreamError: Error {
    case broken(String)
}
