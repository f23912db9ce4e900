import NIOCore
import NIOPosix

/// Keep-alive HTTP/1.1 connections to upstream instances, owned by one event loop: the wire path only asks for
/// them on that loop, so a request and its upstream call never leave the thread they arrived on.
final class UpstreamConnections: @unchecked Sendable {
    // @unchecked: `idle` is only read and written on `loop` (every method asserts it); the class is shared
    // between the handlers of that loop's connections.
    let loop: any EventLoop
    private var idle: [String: [UpstreamConnection]] = [:]
    /// Instance URLs parsed once (there are few instances; the table is cleared if it ever grows large).
    private var endpoints: [String: URLComponentsLite] = [:]
    private var routes: [String: String] = [:]
    /// Exchanges in flight on this loop, for the deadline sweep (each knows its slot, so leaving is O(1)).
    private var watched: [WireProxyHandler] = []
    private var sweep: RepeatedTask?
    /// How often the exchanges in flight are checked against their deadlines: one timer per loop while any is in
    /// flight, instead of one scheduled and cancelled per request (which cost ~4 % of the gateway's CPU).
    static let sweepInterval = TimeAmount.milliseconds(5)
    let maxIdlePerInstance = 256

    init(loop: any EventLoop) {
        self.loop = loop
    }

    /// Watches `handler`'s exchange until ``unwatch(_:)``: the sweep calls its `timedOut()` once its deadline passed.
    func watch(_ handler: WireProxyHandler) {
        loop.preconditionInEventLoop()
        guard handler.watchSlot < 0 else { return }
        handler.watchSlot = watched.count
        watched.append(handler)
        if sweep == nil {
            sweep = loop.scheduleRepeatedTask(initialDelay: Self.sweepInterval, delay: Self.sweepInterval) { [self] _ in
                self.sweepDeadlines()
            }
        }
    }

    func unwatch(_ handler: WireProxyHandler) {
        let slot = handler.watchSlot
        guard slot >= 0, slot < watched.count, watched[slot] === handler else { return }
        let last = watched.removeLast()
        if slot < watched.count {
            watched[slot] = last
            last.watchSlot = slot
        }
        handler.watchSlot = -1
    }

    private func sweepDeadlines() {
        let now = NIODeadline.now()
        let expired = watched.filter { $0.deadline.map { $0 <= now } ?? false }
        for handler in expired { handler.timedOut() }
        if watched.isEmpty {
            sweep?.cancel()
            sweep = nil
        }
    }

    /// The metrics route pattern of a service's proxied requests (`/api/v1/<service>/**`), built once per service.
    func route(of service: String) -> String {
        if let known = routes[service] { return known }
        let route = "/api/v1/\(service)/**"
        if routes.count >= 1024 { routes.removeAll(keepingCapacity: true) }
        routes[service] = route
        return route
    }

    /// `url` split into host, port and base path.
    func endpoint(_ url: String) -> URLComponentsLite? {
        if let known = endpoints[url] { return known }
        guard let parsed = URLComponentsLite(url) else { return nil }
        if endpoints.count >= 1024 { endpoints.removeAll(keepingCapacity: true) }
        endpoints[url] = parsed
        return parsed
    }

    /// An idle connection to `base` that still looks open, if there is one.
    func idleConnection(to base: URLComponentsLite) -> UpstreamConnection? {
        loop.preconditionInEventLoop()
        while let connection = idle[base.key]?.popLast() {
            if connection.channel.isActive { return connection.reused() }
        }
        return nil
    }

    /// A new connection to `host:port`.
    func connect(host: String, port: Int, connectTimeout: TimeAmount) -> EventLoopFuture<UpstreamConnection> {
        loop.preconditionInEventLoop()
        let key = URLComponentsLite.key(host: host, port: port)
        return ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamWireHandler())
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: UpstreamWireHandler.self)
                return UpstreamConnection(key: key, channel: channel, handler: handler)
            }
    }

    /// Gives a connection back after a complete, keep-alive exchange; otherwise closes it.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        loop.preconditionInEventLoop()
        connection.handler.delegate = nil
        guard reusable, connection.handler.isIdle, connection.channel.isActive,
              (idle[connection.key]?.count ?? 0) < maxIdlePerInstance else {
            connection.channel.close(promise: nil)
            return
        }
        idle[connection.key, default: []].append(connection)
    }
}

/// One upstream connection and the handler that passes its response to the exchange using it.
struct UpstreamConnection: @unchecked Sendable {
    // @unchecked: the handler is only touched on the channel's event loop, which is the pool's loop.
    let key: String
    let channel: any Channel
    let handler: UpstreamWireHandler
    /// Taken from the idle list: the upstream may have closed it a moment ago without our having seen it yet.
    var wasIdle = false

    func reused() -> UpstreamConnection {
        var copy = self
        copy.wasIdle = true
        return copy
    }

    /// Sends a complete request head (the wire path proxies bodiless requests only).
    func send(_ request: ByteBuffer, isHead: Bool, to delegate: any UpstreamResponseDelegate) {
        handler.begin(requestWasHead: isHead, delegate: delegate)
        channel.writeAndFlush(request, promise: nil)
    }
}

/// Receives an upstream response: its head, its body as it arrives (exactly as framed on the wire), its end.
protocol UpstreamResponseDelegate: AnyObject {
    func upstreamHead(_ head: Wire.ResponseHead)
    func upstreamBody(_ buffer: ByteBuffer)
    func upstreamEnd(keepAlive: Bool)
    func upstreamReadComplete()
    func upstreamFailed(_ error: any Error)
}

/// Reads HTTP/1.1 responses off an upstream connection's bytes: the head is parsed, the body is passed on in the
/// slices it arrives in, and its end is found from `Content-Length`, the chunked framing or the connection's close.
final class UpstreamWireHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    weak var delegate: (any UpstreamResponseDelegate)?
    private enum State {
        case idle
        case head
        case length(Int)
        case chunked(Wire.ChunkedScanner)
        case untilClose
    }

    private var state = State.idle
    private var requestWasHead = false
    private var keepAlive = true
    /// A head split over several reads.
    private var partialHead: ByteBuffer?

    /// Between responses: nothing is expected from the upstream.
    var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    func begin(requestWasHead: Bool, delegate: any UpstreamResponseDelegate) {
        self.requestWasHead = requestWasHead
        self.delegate = delegate
        state = .head
        keepAlive = true
        partialHead = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        while buffer.readableBytes > 0 {
            switch state {
            case .idle:
                // Bytes nobody asked for: the connection cannot be trusted with another request.
                fail(UpstreamError.broken("the upstream sent bytes outside a response"))
                context.close(promise: nil)
                return
            case .head:
                if var partial = partialHead {
                    partialHead = nil
                    partial.writeBuffer(&buffer)
                    buffer = partial
                }
                guard let end = buffer.withUnsafeReadableBytes({ Wire.headEnd($0) }) else {
                    guard buffer.readableBytes <= Wire.maxHeadBytes else {
                        fail(UpstreamError.broken("the upstream's response head is too large"))
                        context.close(promise: nil)
                        return
                    }
                    partialHead = buffer
                    return
                }
                guard let head = Wire.responseHead(buffer, end: end, requestWasHead: requestWasHead) else {
                    fail(UpstreamError.broken("the upstream sent a malformed response head"))
                    context.close(promise: nil)
                    return
                }
                buffer.moveReaderIndex(forwardBy: end)
                if head.status < 200 {
                    continue  // an interim answer: the final one follows
                }
                keepAlive = head.keepAlive
                switch head.framing {
                case .none: state = .length(0)
                case .length(let n): state = .length(n)
                case .chunked(let scanner): state = .chunked(scanner)
                case .untilClose: state = .untilClose
                }
                delegate?.upstreamHead(head)
                if case .length(0) = state { finish() }
            case .length(let remaining):
                let n = min(remaining, buffer.readableBytes)
                let slice = buffer.readSlice(length: n)!
                state = .length(remaining - n)
                delegate?.upstreamBody(slice)
                if remaining == n { finish() }
            case .chunked(var scanner):
                guard let used = buffer.withUnsafeReadableBytes({ scanner.scan($0) }) else {
                    fail(UpstreamError.broken("the upstream sent a malformed chunked body"))
                    context.close(promise: nil)
                    return
                }
                let slice = buffer.readSlice(length: used)!
                state = .chunked(scanner)
                delegate?.upstreamBody(slice)
                if scanner.isDone { finish() }
            case .untilClose:
                delegate?.upstreamBody(buffer)
                return
            }
        }
    }

    private func finish() {
        state = .idle
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamEnd(keepAlive: keepAlive)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(UpstreamError.broken(String(describing: error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .untilClose = state {
            keepAlive = false
            finish()
        } else {
            fail(UpstreamError.broken("the upstream closed the connection"))
        }
        context.fireChannelInactive()
    }

    private func fail(_ error: any Error) {
        state = .idle
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamFailed(error)
    }
}

enum UpstreamError: Error {
    case broken(String)
}
