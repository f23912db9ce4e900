import NIOCore
import NIOPosix
import ServiceKit

/// Keep-alive HTTP/1.1 connections to upstream instances, owned by one event loop: the wire path only asks for
/// them on that loop, so a request and its upstream call never leave the thread they arrived on.
final class UpstreamConnections: @unchecked Sendable {
    // @unchecked: `idle` is only read and written on `loop` (every method asserts it); the class is shared
    // between the handlers of that loop's connections.
    let loop: any EventLoop
    /// Idle connections by `host:port`; each list is an object, so that taking and giving back a connection
    /// changes it in place (a dictionary value changed through the dictionary costs an allocation each time).
    private var idle: [String: IdleList] = [:]

    final class IdleList {
        var connections: [UpstreamConnection] = []
    }

    /// An instance URL parsed once, with the idle connections to its `host:port` (so that taking and giving back a
    /// connection looks nothing up).
    final class Endpoint {
        let base: URLComponentsLite
        let idle: IdleList

        init(base: URLComponentsLite, idle: IdleList) {
            self.base = base
            self.idle = idle
        }
    }

    /// Instance URLs parsed once (there are few instances; the table is cleared if it ever grows large).
    private var endpoints: [String: Endpoint] = [:]
    private var services: [String: ServiceSlot] = [:]
    /// Exchanges in flight on this loop, for the deadline sweep (each knows its slot, so leaving is O(1)).
    private var watched: [WireProxyHandler] = []
    private var sweep: RepeatedTask?
    /// How often the exchanges in flight are checked against their deadlines: one timer per loop while any is in
    /// flight, instead of one scheduled and cancelled per request (a timer-heap insertion and removal on every
    /// request, a visible share of the gateway's CPU in profiles).
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

    /// What this loop keeps of `service` (made at its first request on this loop).
    func slot(for service: String) -> ServiceSlot {
        if let known = services[service] { return known }
        let made = ServiceSlot(name: service)
        if services.count >= 1024 { services.removeAll(keepingCapacity: true) }
        services[service] = made
        return made
    }

    /// `url` split into host, port and base path.
    func endpoint(_ url: String) -> Endpoint? {
        if let known = endpoints[url] { return known }
        guard let parsed = URLComponentsLite(url) else { return nil }
        let list: IdleList
        if let known = idle[parsed.key] {
            list = known
        } else {
            list = IdleList()
            if idle.count >= 1024 { idle = idle.filter { !$0.value.connections.isEmpty } }
            idle[parsed.key] = list
        }
        if endpoints.count >= 1024 { endpoints.removeAll(keepingCapacity: true) }
        let made = Endpoint(base: parsed, idle: list)
        endpoints[url] = made
        return made
    }

    /// An idle connection to `endpoint` that still looks open, if there is one.
    func idleConnection(to endpoint: Endpoint) -> UpstreamConnection? {
        loop.preconditionInEventLoop()
        while let connection = endpoint.idle.connections.popLast() {
            if connection.channel.isActive { return connection.reused() }
        }
        return nil
    }

    /// A new connection to `endpoint`.
    func connect(to endpoint: Endpoint, connectTimeout: TimeAmount) -> EventLoopFuture<UpstreamConnection> {
        loop.preconditionInEventLoop()
        let (host, port, list) = (endpoint.base.host, endpoint.base.port, endpoint.idle)
        return ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            // The handler asks for each read itself, from its place next to the socket (see its `channelActive`).
            .channelOption(.autoRead, value: false)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UpstreamWireHandler())
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: UpstreamWireHandler.self)
                return UpstreamConnection(idle: list, channel: channel, handler: handler)
            }
    }

    /// Gives a connection back after a complete, keep-alive exchange; otherwise closes it.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        loop.preconditionInEventLoop()
        connection.handler.delegate = nil
        let list = connection.idle
        guard reusable, connection.handler.isIdle, connection.channel.isActive, list.connections.count < maxIdlePerInstance else {
            connection.channel.close(promise: nil)
            return
        }
        list.connections.append(connection)
    }
}

/// What one event loop keeps of one service, so that a proxied request looks it up once: the route pattern of its
/// metrics, the instruments its answers are counted in, and the access requirement of the paths it was asked for.
/// Used on its loop only.
final class ServiceSlot {
    let name: String
    /// The metrics route pattern of the service's proxied requests (`/api/v1/<service>/**`).
    let route: String
    /// By method (GET, HEAD) and status class (0xx…5xx).
    private var instruments: [HTTPMetrics.Instruments?] = Array(repeating: nil, count: 12)
    /// The requirement of each path seen, by method, while the access rules are those of `generation`.
    private var requirements: [[String: AccessPolicy.Requirement?]] = [[:], [:]]
    private var generation = -1
    private var okAttempts: RoutingMetrics.AttemptCounter?
    /// The endpoint of the instance this slot's requests went to last (usually the next one's too, or one of a few).
    private var lastURL = ""
    private var lastEndpoint: UpstreamConnections.Endpoint?
    /// Paths remembered per method at most (the table is emptied when full: clients choose paths).
    static let maxRequirements = 4096

    init(name: String) {
        self.name = name
        self.route = "/api/v1/\(name)/**"
    }

    /// The instruments of answers to `isHead` requests with `status`.
    func instruments(isHead: Bool, status: Int, from metrics: HTTPMetrics) -> HTTPMetrics.Instruments {
        let statusClass = max(0, min(5, status / 100))
        let index = (isHead ? 6 : 0) + statusClass
        if let known = instruments[index] { return known }
        let made = metrics.instruments(method: isHead ? "HEAD" : "GET", route: route, statusClass: HTTPMetrics.statusClass(statusClass * 100))
        instruments[index] = made
        return made
    }

    /// The endpoint of the instance at `url`, remembered from the last request when it went to the same one (two
    /// strings of one registration compare by identity, without reading their bytes).
    func endpoint(for url: String, in connections: UpstreamConnections) -> UpstreamConnections.Endpoint? {
        if let lastEndpoint, url == lastURL { return lastEndpoint }
        guard let found = connections.endpoint(url) else { return nil }
        lastURL = url
        lastEndpoint = found
        return found
    }

    /// Counts a successful attempt (the outcome of nearly every request; others are counted by name).
    func countOKAttempt(in routing: RoutingMetrics) {
        if okAttempts == nil { okAttempts = routing.attemptCounter(service: name, outcome: "ok") }
        okAttempts!.increment()
    }

    /// What a GET or HEAD of `path` needs, from the rules of `generation`; `compute` answers paths not seen yet.
    func requirement(isHead: Bool, path: String, generation: Int, compute: () -> AccessPolicy.Requirement?) -> AccessPolicy.Requirement? {
        if generation != self.generation {
            requirements[0].removeAll(keepingCapacity: true)
            requirements[1].removeAll(keepingCapacity: true)
            self.generation = generation
        }
        let table = isHead ? 1 : 0
        if let known = requirements[table][path] { return known }
        let answer = compute()
        if requirements[table].count >= Self.maxRequirements { requirements[table].removeAll(keepingCapacity: true) }
        requirements[table][path] = .some(answer)
        return answer
    }
}

/// One upstream connection and the handler that passes its response to the exchange using it.
struct UpstreamConnection: @unchecked Sendable {
    // @unchecked: the handler is only touched on the channel's event loop, which is the pool's loop.
    /// Where it goes back when idle: the list of its `host:port`.
    let idle: UpstreamConnections.IdleList
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
        handler.send(request, on: channel)
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

    /// The exchange the response goes to. A strong reference (a weak one made every reference count of the exchange's
    /// handler take the slow path), dropped at the end of every response, on failure and on release.
    var delegate: (any UpstreamResponseDelegate)?
    private enum State {
        case idle
        case head
        case length(Int)
        case chunked(Wire.ChunkedScanner)
        case untilClose
    }

    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var requestWasHead = false
    private var keepAlive = true
    /// A head split over several reads.
    private var partialHead: ByteBuffer?
    /// The field list of the last response head, whose storage the next one reuses.
    private var fieldScratch: [Wire.Field] = []

    /// Between responses: nothing is expected from the upstream.
    var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes a request from this handler's place in the pipeline (the socket is next), not from the pipeline's
    /// tail.
    func send(_ request: ByteBuffer, on channel: any Channel) {
        if let context {
            context.writeAndFlush(NIOAny(request), promise: nil)
        } else {
            channel.writeAndFlush(request, promise: nil)
        }
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
                guard let head = Wire.responseHead(buffer, end: end, requestWasHead: requestWasHead, reusing: &fieldScratch) else {
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

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        context.read()
    }

    /// The connection is always read (an idle one too: its close must be seen before it is lent out again), and
    /// the next read is asked for right here rather than by SwiftNIO from the pipeline's tail.
    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
        context.read()
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
