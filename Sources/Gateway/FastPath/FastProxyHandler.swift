import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import ServiceKit

/// Sits in each client connection's pipeline between the HTTP codec and Hummingbird: requests the
/// ``FastProxy`` accepts are proxied right here, on the event loop; every other part passes on to the router.
///
/// Responses must leave in request order, so while a router request is outstanding every new request goes to
/// the router too, and parts that arrive during a fast exchange wait until it ends.
final class FastProxyHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamResponseDelegate {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let proxy: FastProxy
    private var context: ChannelHandlerContext?
    private var connections: UpstreamConnections?
    private var remote: String?
    /// Router requests whose response has not been written to the end.
    private var routerOutstanding = 0
    private var inRouterRequest = false
    private var inFastRequest = false
    private var queued = CircularBuffer<HTTPRequestPart>()

    // The exchange in progress.
    private var plan: FastProxy.Plan?
    private var instance: UpstreamPool.Instance?
    private var connection: UpstreamConnection?
    private var tried: Set<String> = []
    private var attempts = 0
    private var headWritten = false
    private var discarding = false
    private var status: HTTPResponse.Status = .ok
    /// Whether any part of the current attempt's answer has arrived.
    private var answered = false
    /// Whether the current attempt already replaced a dead idle connection.
    private var replacedStale = false
    private var timeout: Scheduled<Void>?

    init(proxy: FastProxy) {
        self.proxy = proxy
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connections = proxy.connections(for: context.eventLoop)
        remote = context.channel.remoteAddress?.ipAddress
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if !queued.isEmpty || (plan != nil && !inFastRequest) {
            queued.append(part)
            return
        }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        if inFastRequest {
            if case .end = part { inFastRequest = false }
            return
        }
        if inRouterRequest {
            if case .end = part { inRouterRequest = false }
            context.fireChannelRead(wrapInboundOut(part))
            return
        }
        guard case .head(let request) = part else { return }
        let decision: FastProxy.Decision = routerOutstanding == 0 ? proxy.decide(request, remote: remote) : .router
        switch decision {
        case .router:
            routerOutstanding += 1
            inRouterRequest = true
            context.fireChannelRead(wrapInboundOut(part))
        case .problem(let problem, let requestID, let rateHeaders):
            inFastRequest = true
            writeProblem(problem, requestID: requestID, extra: rateHeaders, method: request.method, start: .now)
        case .proxy(let plan):
            inFastRequest = true
            start(plan, context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routerOutstanding -= 1 }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if plan != nil { abandon() }
        context.fireChannelInactive()
    }

    // MARK: - The exchange

    private func start(_ plan: FastProxy.Plan, context: ChannelHandlerContext) {
        self.plan = plan
        tried = []
        attempts = 0
        headWritten = false
        proxy.metrics.inFlight.increment()
        timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: plan.deadline) { [self] in self.timedOut() }
        attempt(plan.instance)
    }

    private func attempt(_ instance: UpstreamPool.Instance, fresh: Bool = false) {
        guard let plan, let connections else { return }
        self.instance = instance
        answered = false
        if !fresh {
            attempts += 1
            replacedStale = false
            tried.insert(instance.id)
        }
        guard let base = URLComponentsLite(instance.url) else {
            connectFailed(UpstreamError.broken("bad instance URL \(instance.url)"))
            return
        }
        let request = proxy.upstreamRequest(plan, to: base, remote: remote)
        connections.acquire(host: base.host, port: base.port, connectTimeout: .seconds(2), fresh: fresh).assumeIsolated().whenComplete { [self] result in
            guard self.plan != nil, self.instance == instance else {
                // The exchange ended (deadline, client gone) while connecting.
                if case .success(let connection) = result { connections.release(connection, reusable: true) }
                return
            }
            switch result {
            case .success(let connection):
                self.connection = connection
                connection.send(request, to: self)
            case .failure(let error):
                self.connectFailed(error)
            }
        }
    }

    func upstreamHead(_ response: HTTPResponse) {
        answered = true
        guard let plan, let context else { return }
        if response.status.code == 503, mayRetry() {
            discarding = true  // read the refusal to its end, then try another instance
            return
        }
        status = response.status
        var head = HTTPResponse(status: response.status)
        var fields = HTTPFields()
        fields.reserveCapacity(response.headerFields.count + 4)
        let dropped = ProxyMiddleware.hopByHop(connectionHeader: response.headerFields[values: .connection].joined(separator: ","))
        for field in response.headerFields where !dropped.contains(field.name.canonicalName) { fields.append(field) }
        fields[.requestID] = plan.requestID
        for field in plan.rateHeaders { fields[field.name] = field.value }
        head.headerFields = fields
        headWritten = true
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    func upstreamBody(_ buffer: ByteBuffer) {
        guard !discarding, headWritten, let context else { return }
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
    }

    /// The end of one read from the upstream socket: what arrived goes out now (a streamed answer is passed on
    /// as it comes, not held until its end), and several parts of one read leave in one write.
    func upstreamReadComplete() {
        if headWritten, plan != nil { context?.flush() }
    }

    func upstreamEnd() {
        guard let instance else { return }
        if let connection { connections?.release(connection, reusable: true) }
        connection = nil
        if discarding {
            // The retry was granted when the 503 arrived.
            discarding = false
            proxy.pool.finish(instance, outcome: .serverError)
            proxy.routing.attempt(service: instance.service, outcome: "5xx")
            if let plan, case .instance(let next) = proxy.pool.pick(plan.service, excluding: tried) {
                attempt(next)
            } else {
                retryOrFail(UpstreamError.broken("\(instance.service) instance \(instance.id) answered 503"), retryGranted: false)
            }
            return
        }
        proxy.pool.finish(instance, outcome: status.code >= 500 ? .serverError : .success)
        proxy.routing.attempt(service: instance.service, outcome: status.code >= 500 ? "5xx" : "ok")
        context?.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        complete(status: status)
    }

    func upstreamFailed(_ error: any Error) {
        guard let instance else { return }
        let stale = connection?.wasIdle == true && !answered && !replacedStale
        if let connection { connections?.release(connection, reusable: false) }
        connection = nil
        if stale {
            // An idle connection the upstream had already closed: not the instance's fault, and nothing was
            // processed (no answer came), so the same instance gets the request on a new connection.
            replacedStale = true
            attempt(instance, fresh: true)
            return
        }
        proxy.pool.finish(instance, outcome: .connectFailure)
        proxy.routing.attempt(service: instance.service, outcome: "broken")
        if headWritten {
            // Part of the answer is out: the client must see a broken response, not a truncated "success".
            context?.close(promise: nil)
            complete(status: .badGateway)
        } else {
            retryOrFail(error)
        }
    }

    private func connectFailed(_ error: any Error) {
        guard let instance else { return }
        proxy.pool.finish(instance, outcome: .connectFailure)
        proxy.routing.attempt(service: instance.service, outcome: "connect_error")
        retryOrFail(error)
    }

    private func mayRetry() -> Bool {
        guard let plan, attempts < proxy.maxAttempts, NIODeadline.now() < plan.deadline else { return false }
        guard proxy.budget.withdraw() else {
            proxy.routing.budgetExhausted(service: plan.service)
            return false
        }
        proxy.routing.retried(service: plan.service)
        return true
    }

    private func retryOrFail(_ error: any Error, retryGranted: Bool? = nil) {
        guard let plan else { return }
        if retryGranted ?? mayRetry(), case .instance(let next) = proxy.pool.pick(plan.service, excluding: tried) {
            attempt(next)
            return
        }
        proxy.logger.warning("upstream request failed", metadata: ["service": .string(plan.service), "reason": .string("\(error)")])
        writeProblem(.badGateway("Service \(plan.service) could not be reached or broke the connection."), requestID: plan.requestID,
                     extra: plan.rateHeaders, method: plan.request.method, start: plan.start)
    }

    private func timedOut() {
        guard let plan else { return }
        if let instance {
            proxy.pool.finish(instance, outcome: .serverError)
            proxy.routing.attempt(service: instance.service, outcome: "timeout")
        }
        if let connection { connections?.release(connection, reusable: false) }
        connection = nil
        instance = nil
        if headWritten {
            context?.close(promise: nil)
            complete(status: .gatewayTimeout)
        } else {
            writeProblem(.gatewayTimeout("Service \(plan.service) did not answer before the request's deadline."), requestID: plan.requestID,
                         extra: plan.rateHeaders, method: plan.request.method, start: plan.start)
        }
    }

    /// The client went away: stop the exchange and drop its upstream connection (its answer has nowhere to go).
    private func abandon() {
        if let instance { proxy.pool.finish(instance, outcome: .success) }
        if let connection { connections?.release(connection, reusable: false) }
        connection = nil
        instance = nil
        complete(status: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"))
    }

    private func writeProblem(_ problem: Problem, requestID: String, extra: [HTTPField], method: HTTPRequest.Method,
                              start: ContinuousClock.Instant) {
        guard let context else { return }
        var (fields, body) = problem.rendered(instance: requestID)
        fields[.requestID] = requestID
        for field in extra { fields[field.name] = field.value }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: problem.status, headerFields: fields))), promise: nil)
        if method != .head { context.write(wrapOutboundOut(.body(body)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if plan == nil {
            // Answered without an exchange (unknown service, no instance): record it as one.
            proxy.metrics.record(method: method, route: "/api/v1/{unknown}/**", status: problem.status, duration: .now - start)
            drain()
        } else {
            complete(status: problem.status)
        }
    }

    private func complete(status: HTTPResponse.Status) {
        guard let plan else { return }
        timeout?.cancel()
        timeout = nil
        self.plan = nil
        instance = nil
        discarding = false
        proxy.metrics.inFlight.decrement()
        let elapsed = ContinuousClock.now - plan.start
        let route = "/api/v1/\(plan.service)/**"
        proxy.metrics.record(method: plan.request.method, route: route, status: status, duration: elapsed)
        if proxy.logger.logLevel <= .info {
            var logger = proxy.logger
            logger[metadataKey: "request_id"] = .string(plan.requestID)
            logger[metadataKey: "trace_id"] = .string(plan.trace.traceID)
            logger.info("request", metadata: [
                "method": .string(plan.request.method.rawValue), "route": .string(route), "status": .stringConvertible(status.code),
                "duration_ms": .string(String(format: "%.3f", elapsed.inSeconds * 1000)), "path": "fast",
            ])
        }
        drain()
    }

    /// Handles requests that arrived during the exchange, in order, until one starts another exchange.
    private func drain() {
        guard let context else { return }
        while let part = queued.first, plan == nil || inFastRequest {
            queued.removeFirst()
            handle(part, context: context)
        }
    }
}

/// `http://host:port[/base]` split without Foundation's URL parser (which is slow on a per-request path).
struct URLComponentsLite {
    let host: String
    let port: Int
    /// A base path the instance is mounted under (empty for registered instances, which may not have one).
    let path: String

    init?(_ url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let afterScheme = url.dropFirst(7)
        let rest = afterScheme.prefix { $0 != "/" }
        var base = String(afterScheme.dropFirst(rest.count))
        while base.hasSuffix("/") { base.removeLast() }
        path = base
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) else {
            guard !rest.isEmpty else { return nil }
            self.host = String(rest)
            self.port = 80
            return
        }
        self.host = String(rest[..<colon])
        self.port = port
    }
}
