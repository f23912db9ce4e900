import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import ServiceKit

/// The first handler of each client connection, in front of SwiftNIO's HTTP/1 codec: it reads request heads off
/// the socket's bytes itself, proxies the ones the ``FastProxy`` accepts right here on the event loop (the upstream's
/// response is passed back as it came, with the gateway's headers), and hands every other request, byte for byte,
/// to the codec and Hummingbird's router behind it.
///
/// Responses leave in request order: while a router request is outstanding every new request goes to the router
/// too, and requests that arrive during a proxied exchange wait until it ends. A head the wire parser does not
/// understand hands the connection to the codec for good.
final class WireProxyHandler: ChannelInboundHandler, RemovableChannelHandler, UpstreamResponseDelegate {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let proxy: FastProxy
    private var context: ChannelHandlerContext?
    private var connections: UpstreamConnections?
    private var remote: String?

    /// Bytes received and not yet handled.
    private var input: ByteBuffer?
    /// Whether the codec reads this connection from now on (a head the wire parser refused).
    private var codecOnly = false
    /// Body bytes of the router request in progress still to pass to the codec.
    private var routerBodyRemaining = 0
    /// Router requests whose response has not been written to the end.
    private var routerOutstanding = 0
    /// How far into `input` a head was looked for without finding its end (so a head arriving a byte at a time is
    /// not scanned from its start again on every read).
    private var scanned = 0
    /// Whether bytes went to the codec since the last read-complete it was given.
    private var passedToCodec = false
    private var reading = false
    private var processing = false

    // The exchange in progress.
    private var plan: FastProxy.Plan?
    private var instance: UpstreamPool.Instance?
    private var connection: UpstreamConnection?
    /// Instances this exchange tried (a list: it has one entry unless the request was retried).
    private var tried: [String] = []
    private var attempts = 0
    private var headWritten = false
    private var closeAfterResponse = false
    private var status = 200
    /// Whether any part of the current attempt's answer has arrived.
    private var answered = false
    /// Whether the current attempt already replaced a dead idle connection.
    private var replacedStale = false
    /// The answer's head, and the body bytes of the same upstream read, not yet written: they leave in one write
    /// (one buffer, not a head and a body slice) when that read is complete.
    private var pendingOut: ByteBuffer?
    /// Buffers kept for the next exchange of this connection: once the socket has written them they are ours
    /// alone again, and are refilled without an allocation.
    private var requestScratch: ByteBuffer?
    /// The field list of the last request head, whose storage the next one reuses.
    private var fieldScratch: [Wire.Field] = []
    private var outScratch: ByteBuffer?
    /// Answer bytes gathered into one write at most (larger answers are passed on as they arrive).
    static let coalesceLimit = 16 * 1024
    /// This handler's place among its loop's watched exchanges (-1: not watched).
    var watchSlot = -1
    /// When the exchange in flight must end.
    var deadline: NIODeadline? { plan?.deadline }

    init(proxy: FastProxy) {
        self.proxy = proxy
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connections = proxy.connections(for: context.eventLoop)
        remote = context.channel.remoteAddress?.ipAddress
        // This handler asks for the connection's reads itself (see `requestRead`): SwiftNIO's automatic read
        // after each read-complete starts at the pipeline's tail and walks every handler of the codec and
        // Hummingbird on its way to the socket, on every request.
        do {
            try context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        } catch {
            proxy.logger.error("the wire path could not take over the connection's reads", metadata: ["reason": .string("\(error)")])
        }
        if context.channel.isActive { requestRead(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        requestRead(context: context)
    }

    /// Asks for the next read from the socket, as SwiftNIO's automatic read would. While the router has work on
    /// this connection the request starts at the pipeline's tail, so that the handlers behind (Hummingbird's
    /// request stream, which holds reads back while its consumer is busy) can hold it back; otherwise it goes
    /// straight to the socket. No read is asked for while the wire path holds too many unanswered bytes.
    private func requestRead(context: ChannelHandlerContext) {
        guard !paused else { return }
        if codecOnly || routerOutstanding > 0 || routerBodyRemaining > 0 {
            context.pipeline.syncOperations.read()
        } else {
            context.read()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        // Were it ever taken out of a live connection, SwiftNIO reads it again.
        if context.channel.isActive { try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true) }
    }

    // MARK: - Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if codecOnly {
            context.fireChannelRead(data)
            return
        }
        var buffer = unwrapInboundIn(data)
        if var pending = input.take() {
            pending.writeBuffer(&buffer)
            input = pending
        } else {
            input = buffer
        }
        reading = true
        process()
        reading = false
        if let pending = input?.readableBytes, pending > Self.maxBuffered {
            // A client pipelining faster than its requests are answered: stop reading until the backlog is handled.
            paused = true
        }
    }

    /// Bytes of later requests held while an exchange is in flight before the connection stops being read.
    static let maxBuffered = 1 << 20
    private var paused = false

    func channelReadComplete(context: ChannelHandlerContext) {
        // The handlers behind (codec, router) hear of reads only when they were given bytes: a read the wire path
        // handled alone is none of their business, and telling them costs a walk through the pipeline.
        if passedToCodec || codecOnly {
            passedToCodec = false
            context.fireChannelReadComplete()
        }
        requestRead(context: context)
    }

    /// A router response was written to its end (called by ``RouterResponseTracker`` after the write).
    func routerResponseEnded() {
        routerOutstanding -= 1
        // The wire path reads the connection again (a read the router's handlers held back may still be owed).
        if routerOutstanding == 0, let context { requestRead(context: context) }
    }

    private func process() {
        guard let context, !processing else { return }
        processing = true
        defer { processing = false }
        while !codecOnly, plan == nil, var buffer = input.take() {
            defer { if buffer.readableBytes > 0 { input = buffer } }
            if routerBodyRemaining > 0 {
                let n = min(routerBodyRemaining, buffer.readableBytes)
                routerBodyRemaining -= n
                toCodec(buffer.readSlice(length: n)!, context: context)
                continue
            }
            let from = scanned
            guard let end = buffer.withUnsafeReadableBytes({ Wire.headEnd($0, from: max(0, from - 3)) }) else {
                if buffer.readableBytes > Wire.maxHeadBytes || buffer.withUnsafeReadableBytes({ Wire.hasBareLF($0, from: max(0, from - 1)) }) {
                    handOver(&buffer, context: context)
                } else {
                    scanned = buffer.readableBytes
                }
                break
            }
            scanned = 0
            guard let head = buffer.withUnsafeReadableBytes({ Wire.requestHead($0, end: end, reusing: &fieldScratch) }) else {
                handOver(&buffer, context: context)
                break
            }
            let bytes = buffer.readSlice(length: end)!
            let isHead = head.isHead
            let kind = head.kind
            let decision: FastProxy.Decision = routerOutstanding == 0 && connections != nil
                ? proxy.decide(head, bytes: bytes, remote: remote, on: connections!) : .router
            switch decision {
            case .router:
                routerOutstanding += 1
                if case .sized(let length) = kind { routerBodyRemaining = length }
                toCodec(bytes, context: context)
            case .problem(let problem, let requestID, let rateHeaders):
                writeProblem(problem, requestID: requestID, extra: rateHeaders, isHead: isHead, start: .now)
            case .proxy(let plan):
                start(plan, context: context)
            }
        }
        if paused, (input?.readableBytes ?? 0) <= Self.maxBuffered {
            paused = false
            requestRead(context: context)
        }
        if passedToCodec, !reading {
            // Outside a read, the codec's consumers deliver what they got only on a read-complete.
            passedToCodec = false
            context.fireChannelReadComplete()
        }
    }

    private func toCodec(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        passedToCodec = true
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    /// From here on the codec reads this connection, starting with `buffer`.
    private func handOver(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        codecOnly = true
        let rest = buffer.readSlice(length: buffer.readableBytes)!
        toCodec(rest, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Requests still waiting have nobody to answer to: they are dropped, not proxied.
        input = nil
        if plan != nil { abandon() }
        context.fireChannelInactive()
    }

    // MARK: - The exchange

    private func start(_ plan: FastProxy.Plan, context: ChannelHandlerContext) {
        self.plan = plan
        tried.removeAll(keepingCapacity: true)
        attempts = 0
        headWritten = false
        closeAfterResponse = false
        proxy.metrics.inFlight.increment()
        connections?.watch(self)
        attempt(plan.instance)
    }

    private func attempt(_ instance: UpstreamPool.Instance, fresh: Bool = false) {
        guard let plan, let connections, let context else { return }
        self.instance = instance
        answered = false
        if !fresh {
            attempts += 1
            replacedStale = false
            tried.append(instance.id)
        }
        guard let endpoint = plan.slot.endpoint(for: instance.url, in: connections) else {
            connectFailed(UpstreamError.broken("bad instance URL \(instance.url)"))
            return
        }
        var request = requestScratch.take() ?? context.channel.allocator.buffer(capacity: plan.headBytes.readableBytes + 1024)
        request.clear()
        proxy.writeUpstreamRequest(plan, to: endpoint, remote: remote, into: &request)
        requestScratch = request
        let isHead = plan.head.isHead
        if !fresh, let connection = connections.idleConnection(to: endpoint) {
            // The common case: a kept-alive connection of this loop, with no future in between.
            self.connection = connection
            connection.send(request, isHead: isHead, to: self)
            return
        }
        connections.connect(to: endpoint, connectTimeout: .seconds(2)).assumeIsolated().whenComplete { [self, request] result in
            guard self.plan != nil, self.instance == instance else {
                // The exchange ended (deadline, client gone) while connecting.
                if case .success(let connection) = result { connections.release(connection, reusable: true) }
                return
            }
            switch result {
            case .success(let connection):
                self.connection = connection
                connection.send(request, isHead: isHead, to: self)
            case .failure(let error):
                self.connectFailed(error)
            }
        }
    }

    func upstreamHead(_ head: Wire.ResponseHead) {
        answered = true
        guard let plan, let context, let instance else { return }
        if head.status == 503, mayRetry() {
            // A refusal: drop the connection (its body is not wanted) and try another instance.
            if let connection { connections?.release(connection, reusable: false) }
            connection = nil
            proxy.pool.finish(instance, outcome: .serverError)
            proxy.routing.attempt(service: instance.service, outcome: "5xx")
            if case .instance(let next) = proxy.pool.pick(plan.service, excluding: Set(tried)) {
                attempt(next)
            } else {
                retryOrFail(UpstreamError.broken("\(instance.service) instance \(instance.id) answered 503"), retryGranted: false)
            }
            return
        }
        status = head.status
        if case .untilClose = head.framing { closeAfterResponse = true }
        var out = outScratch.take() ?? context.channel.allocator.buffer(capacity: 2048)
        out.clear()
        out.writeStaticString("HTTP/1.1")
        head.bytes.withUnsafeReadableBytes { bytes in
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[8..<head.statusLineEnd]))
            Wire.copyLines(bytes, head.fields, into: &out) { Wire.forwardsResponseField(bytes, $0) }
        }
        out.writeJoined(Self.requestIDName, ": ", plan.requestID, "\r\n")
        for field in plan.rateHeaders { Self.writeField(field.name.rawName, field.value, into: &out) }
        if closeAfterResponse { out.writeStaticString("Connection: close\r\n") }
        out.writeStaticString("\r\n")
        headWritten = true
        pendingOut = out
    }

    func upstreamBody(_ buffer: ByteBuffer) {
        guard headWritten, plan != nil, let context else { return }
        if var pending = pendingOut.take() {
            if pending.readableBytes + buffer.readableBytes <= Self.coalesceLimit {
                pending.writeImmutableBuffer(buffer)
                pendingOut = pending
                return
            }
            writePending(pending, context: context)
        }
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// Writes the gathered answer bytes, and keeps their buffer for the next exchange.
    private func writePending(_ pending: ByteBuffer, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(pending), promise: nil)
        outScratch = pending
    }

    /// Writes what is gathered of the answer, if anything.
    private func writePendingOut() {
        if let pending = pendingOut.take(), let context { writePending(pending, context: context) }
    }

    /// The end of one read from the upstream socket: what arrived goes out now (a streamed answer is passed on
    /// as it comes, not held until its end), and several parts of one read leave in one write.
    func upstreamReadComplete() {
        guard headWritten, plan != nil, let context else { return }
        if let pending = pendingOut.take() {
            context.writeAndFlush(wrapOutboundOut(pending), promise: nil)
            outScratch = pending
        } else {
            context.flush()
        }
    }

    func upstreamEnd(keepAlive: Bool) {
        guard let instance else { return }
        // The answer leaves first (one write and flush), the bookkeeping follows.
        if let pending = pendingOut.take(), let context {
            context.writeAndFlush(wrapOutboundOut(pending), promise: nil)
            outScratch = pending
        } else {
            context?.flush()
        }
        if let connection { connections?.release(connection, reusable: keepAlive) }
        connection = nil
        proxy.pool.finish(instance, outcome: status >= 500 ? .serverError : .success)
        if status >= 500 {
            proxy.routing.attempt(service: instance.service, outcome: "5xx")
        } else if let plan {
            plan.slot.countOKAttempt(in: proxy.routing)
        }
        let close = closeAfterResponse
        complete(status: status)
        if close { context?.close(promise: nil) }
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
        // A connection closed in answer to a request may be the request's doing (a client can craft one an
        // upstream's HTTP stack refuses): it counts like a 5xx toward ejection, never as proof the instance is dead.
        proxy.pool.finish(instance, outcome: .serverError)
        proxy.routing.attempt(service: instance.service, outcome: "broken")
        if headWritten {
            // Part of the answer is out: the client must see a broken response, not a truncated "success".
            writePendingOut()
            context?.close(promise: nil)
            complete(status: 502)
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
        guard let plan else { return false }
        return proxy.retry.mayRetry(service: plan.service, attemptsMade: attempts, timeLeft: NIODeadline.now() < plan.deadline)
    }

    private func retryOrFail(_ error: any Error, retryGranted: Bool? = nil) {
        guard let plan else { return }
        if retryGranted ?? mayRetry(), case .instance(let next) = proxy.pool.pick(plan.service, excluding: Set(tried)) {
            attempt(next)
            return
        }
        proxy.logger.warning("upstream request failed", metadata: ["service": .string(plan.service), "reason": .string("\(error)")])
        writeProblem(.badGateway("Service \(plan.service) could not be reached or broke the connection."), requestID: plan.requestID,
                     extra: plan.rateHeaders, isHead: plan.head.isHead, start: plan.start)
    }

    /// The deadline passed (called by the loop's deadline sweep).
    func timedOut() {
        guard let plan else { return }
        if let instance {
            proxy.pool.finish(instance, outcome: .serverError)
            proxy.routing.attempt(service: instance.service, outcome: "timeout")
        }
        if let connection { connections?.release(connection, reusable: false) }
        connection = nil
        instance = nil
        if headWritten {
            writePendingOut()
            context?.close(promise: nil)
            complete(status: 504)
        } else {
            writeProblem(.gatewayTimeout("Service \(plan.service) did not answer before the request's deadline."), requestID: plan.requestID,
                         extra: plan.rateHeaders, isHead: plan.head.isHead, start: plan.start)
        }
    }

    /// The client went away: stop the exchange and drop its upstream connection (its answer has nowhere to go).
    private func abandon() {
        pendingOut = nil
        if let instance { proxy.pool.abandon(instance) }  // says nothing about the instance either way
        if let connection { connections?.release(connection, reusable: false) }
        connection = nil
        instance = nil
        complete(status: 499)
    }

    private static let requestIDName = HTTPField.Name.requestID.rawName

    private static func writeField(_ name: String, _ value: String, into out: inout ByteBuffer) {
        out.writeJoined(name, ": ", value, "\r\n")
    }

    private func writeProblem(_ problem: Problem, requestID: String, extra: [HTTPField], isHead: Bool, start: ContinuousClock.Instant) {
        guard let context else { return }
        var (fields, body) = problem.rendered(instance: requestID)
        fields[.requestID] = requestID
        for field in extra { fields[field.name] = field.value }
        var out = context.channel.allocator.buffer(capacity: 512 + body.readableBytes)
        out.writeString("HTTP/1.1 \(problem.status.code) \(problem.status.reasonPhrase)\r\n")
        for field in fields { Self.writeField(field.name.rawName, field.value, into: &out) }
        out.writeStaticString("\r\n")
        if !isHead { out.writeBuffer(&body) }
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        if plan == nil {
            // Answered without an exchange (unknown service, no instance): record it as one.
            proxy.metrics.record(method: isHead ? .head : .get, route: "/api/v1/{unknown}/**", status: problem.status, duration: .now - start)
        } else {
            complete(status: problem.status.code)
        }
    }

    private func complete(status: Int) {
        guard let plan else { return }
        connections?.unwatch(self)
        self.plan = nil
        instance = nil
        proxy.metrics.inFlight.decrement()
        let elapsed = ContinuousClock.now - plan.start
        let route = plan.slot.route
        proxy.metrics.record(plan.slot.instruments(isHead: plan.head.isHead, status: status, from: proxy.metrics), duration: elapsed)
        if proxy.logsRequests {
            var logger = proxy.logger
            logger[metadataKey: "request_id"] = .string(plan.requestID)
            logger[metadataKey: "trace_id"] = .string(plan.trace.traceID)
            logger.info("request", metadata: [
                "method": .string(plan.method.rawValue), "route": .string(route), "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.3f", elapsed.inSeconds * 1000)), "path": "fast",
            ])
        }
        // Requests that arrived during the exchange.
        if input != nil { process() }
    }
}

/// Sits behind the HTTP codec and tells the ``WireProxyHandler`` in front of it when a router response has been
/// written to its end, so that the wire path can take requests again without overtaking it. It installs the
/// wire handler at the front of the pipeline when it is added (Hummingbird adds extra handlers only behind its
/// codec).
final class RouterResponseTracker: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let wire: WireProxyHandler

    init(wire: WireProxyHandler) {
        self.wire = wire
    }

    func handlerAdded(context: ChannelHandlerContext) {
        do {
            try context.pipeline.syncOperations.addHandler(wire, position: .first)
        } catch {
            wire.proxy.logger.error("the wire path could not be installed", metadata: ["reason": .string("\(error)")])
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd: Bool
        if case .end = unwrapOutboundIn(data) { isEnd = true } else { isEnd = false }
        context.write(data, promise: promise)
        if isEnd { wire.routerResponseEnded() }
    }
}

extension Optional {
    /// The value, leaving `nil` behind (so that a buffer taken out can be changed without a copy).
    fileprivate mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
