import AsyncHTTPClient
import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
@testable import Gateway
import ServiceKit

/// The reverse proxy against a real upstream server on a real socket.
@Suite struct ProxyTests {
    /// Lets a test hold a streaming upstream response until it has seen the first chunk through the gateway.
    final class Gate: Sendable {
        let stream: AsyncStream<Void>
        let continuation: AsyncStream<Void>.Continuation
        init() { (stream, continuation) = AsyncStream.makeStream() }
        func open() { continuation.yield() }
        func wait() async { for await _ in stream { return } }
    }

    static func upstream(gate: Gate) -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        @Sendable func echo(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let object: [String: Any] = ["method": request.method.rawValue, "uri": request.uri.description,
                                         "headers": headers, "body": String(buffer: body)]
            let data = try JSONSerialization.data(withJSONObject: object)
            return Response(status: request.method == .get ? .ok : .accepted,
                            headers: [.contentType: "application/json", HTTPField.Name("X-Upstream")!: "yes"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.on("/api/v1/echo/headers", method: .put, use: echo)
        router.on("/api/v1/echo/headers", method: .get, use: echo)
        router.post("/api/v1/echo/count") { request, _ -> String in
            var count = 0
            var sum: UInt64 = 0
            for try await chunk in request.body {
                count += chunk.readableBytes
                for byte in chunk.readableBytesView { sum &+= UInt64(byte) }
            }
            return "\(count) \(sum)"
        }
        router.get("/api/v1/echo/stream") { _, _ -> Response in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "first;"))
                await gate.wait()
                try await writer.write(ByteBuffer(string: "second"))
                try await writer.finish(nil)
            })
        }
        router.get("/unavailable/**") { _, _ -> Response in
            Response(status: .serviceUnavailable)
        }
        router.get("/api/v1/echo/internal") { request, _ -> String in
            let token = request.headers[InternalCredential.header] ?? ""
            return InternalCredential(secret: "test-secret").verify(token, method: "GET", target: request.uri.description) ? "valid" : "invalid"
        }
        router.get("/api/v1/echo/deadline") { request, _ -> String in
            request.headers[HTTPField.Name("X-Bourse-Timeout-Ms")!] ?? "none"
        }
        router.get("/api/v1/echo/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(3))
            return "late"
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Runs `body` with a live upstream registered as service `echo` and a live gateway in front of it.
    func withGateway(settings: [String: String] = [:], gate: Gate = Gate(),
                     _ body: @escaping @Sendable (_ gatewayPort: Int, _ registry: UpstreamPool, _ upstreamURL: String) async throws -> Void) async throws {
        try await withGatewayService(settings: settings, gate: gate) { port, service, url in try await body(port, service.pool, url) }
    }

    /// ``withGateway(settings:gate:_:)``, with the gateway service itself (its access rules, its pool).
    func withGatewayService(settings: [String: String] = [:], gate: Gate = Gate(),
                            _ body: @escaping @Sendable (_ gatewayPort: Int, _ service: GatewayService, _ upstreamURL: String) async throws -> Void) async throws {
        try await Self.upstream(gate: gate).test(.live) { upstream in
            let upstreamPort = try #require(upstream.port)
            try await TestSupport.withService(GatewayService.self, settings: settings) { service, _, app in
                // The proxy itself is under test here, without an auth service: every route is open (auth has its own suites).
                service.access.setFallback(AccessPolicy(rules: [.init(nil, "/**", .open)]))
                service.pool.upsert(UpstreamPool.Instance(service: "echo", id: "echo-1", url: "http://127.0.0.1:\(upstreamPort)",
                                                          version: "1"), lease: .seconds(600))
                try await app.test(.live) { gateway in
                    try await body(try #require(gateway.port), service, "http://127.0.0.1:\(upstreamPort)")
                }
            }
        }
    }

    func send(_ method: HTTPRequest.Method, _ port: Int, _ path: String, headers: [(String, String)] = [], body: ByteBuffer? = nil,
              timeout: Duration = .seconds(20)) async throws -> (HTTPClientResponse, ByteBuffer) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .init(rawValue: method.rawValue)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout.inSeconds)))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return (response, collected)
    }

    @Test func methodHeadersStatusAndBodyRoundTripWithoutHopByHopHeaders() async throws {
        try await withGateway { port, _, _ in
            let (response, body) = try await send(.put, port, "/api/v1/echo/headers?x=1&y=two", headers: [
                ("X-Custom", "kept"), ("Connection", "keep-alive, X-Hop"), ("X-Hop", "dropped"), ("X-Request-ID", "req-42"),
                ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ("X-Forwarded-For", "10.1.2.3"),
            ], body: ByteBuffer(string: "payload"))
            #expect(response.status.code == 202)
            #expect(response.headers.first(name: "X-Upstream") == "yes")
            #expect(response.headers.first(name: "X-Request-ID") == "req-42")
            let echo = try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
            let headers = try #require(echo["headers"] as? [String: String])
            #expect(echo["method"] as? String == "PUT")
            #expect(echo["uri"] as? String == "/api/v1/echo/headers?x=1&y=two")
            #expect(echo["body"] as? String == "payload")
            #expect(headers["x-custom"] == "kept")
            #expect(headers["x-hop"] == nil)
            #expect(headers["x-request-id"] == "req-42")
            #expect(headers["x-forwarded-for"] == "10.1.2.3, 127.0.0.1")
            #expect(headers["x-forwarded-proto"] == "http")
            #expect(headers["x-forwarded-host"] == "127.0.0.1:\(port)")
            let traceparent = try #require(headers["traceparent"])
            #expect(traceparent.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"))
            #expect(!traceparent.contains("00f067aa0ba902b7"))
        }
    }

    @Test func largeRequestBodyPassesThroughIntact() async throws {
        try await withGateway(settings: ["http.max_body_bytes": "67108864", "gateway.instance_ttl_seconds": "600"]) { port, _, _ in
            // 8 MiB of a repeating 0...255 pattern: larger than any single read or write buffer on the way.
            let block = (0...255).map { UInt8($0) }
            var payload = ByteBuffer()
            for _ in 0..<((8 << 20) / 256) { payload.writeBytes(block) }
            let expectedSum = UInt64((8 << 20) / 256) * UInt64(255 * 256 / 2)
            // A debug build on a loaded two-core machine needs well over the default 20 s for 8 MiB both ways.
            let (response, body) = try await send(.post, port, "/api/v1/echo/count", body: payload, timeout: .seconds(90))
            #expect(response.status.code == 200)
            #expect(String(buffer: body) == "\(8 << 20) \(expectedSum)")
        }
    }

    @Test func responseIsStreamedNotBufferedWhole() async throws {
        let gate = Gate()
        try await withGateway(gate: gate) { port, _, _ in
            // The upstream holds back its second chunk until the first has come through the gateway:
            // a proxy that buffered the whole body would never deliver it, and the deadline would fail the test.
            let chunks = try await withDeadline(.seconds(15)) {
                let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/echo/stream")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
                var parts: [String] = []
                for try await chunk in response.body {
                    if parts.isEmpty { gate.open() }
                    parts.append(String(buffer: chunk))
                }
                return parts
            }
            #expect(chunks.first == "first;")
            #expect(chunks.joined() == "first;second")
        }
    }

    @Test func unknownServiceIs404() async throws {
        try await withGateway { port, _, _ in
            let (response, body) = try await send(.get, port, "/api/v1/nobody/x")
            #expect(response.status.code == 404)
            #expect(response.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(String(buffer: body).contains("nobody"))
        }
    }

    @Test func knownServiceWithoutInstancesIs503WithRetryAfter() async throws {
        try await withGateway(settings: ["gateway.known_services": "ghost"]) { port, _, _ in
            let (response, _) = try await send(.get, port, "/api/v1/ghost/x")
            #expect(response.status.code == 503)
            #expect(response.headers.first(name: "Retry-After") == "2")
        }
    }

    @Test func unreachableInstanceIs502() async throws {
        try await withGateway { port, registry, _ in
            registry.upsert(UpstreamPool.Instance(service: "dead", id: "dead-1", url: "http://127.0.0.1:1", version: "1"), lease: .seconds(60))
            let (response, body) = try await send(.get, port, "/api/v1/dead/x")
            #expect(response.status.code == 502)
            #expect(String(buffer: body).contains("bad-gateway"))
        }
    }

    @Test func slowInstanceIs504AfterTheProxyTimeout() async throws {
        try await withGateway(settings: ["gateway.proxy_timeout_seconds": "0.5"]) { port, _, _ in
            let (response, body) = try await send(.get, port, "/api/v1/echo/slow")
            #expect(response.status.code == 504)
            #expect(String(buffer: body).contains("gateway-timeout"))
        }
    }

    // MARK: Retries and deadlines

    /// Replaces `echo-1` by instance `first` at `url` followed by the live upstream (`b-live`), so the
    /// round-robin's first pick for a request is `first`.
    func lineUp(_ pool: UpstreamPool, first: String, at url: String, then upstream: String) {
        pool.remove("echo-1")
        pool.upsert(.init(service: "echo", id: first, url: url, version: "1"), lease: .seconds(600))
        pool.upsert(.init(service: "echo", id: "b-live", url: upstream, version: "1"), lease: .seconds(600))
    }

    /// Ten requests that succeed: each deposits a fifth of a retry into the gateway's retry budget, which
    /// starts empty so that retries can never exceed 20 % of requests.
    func warmUp(_ port: Int) async throws {
        for _ in 0..<10 {
            let (response, _) = try await send(.get, port, "/api/v1/echo/deadline")
            #expect(response.status.code == 200)
        }
    }

    @Test func idempotentRequestIsRetriedOnAnotherInstanceAfterAConnectFailure() async throws {
        try await withGateway(settings: ["gateway.balancing": "round-robin"]) { port, pool, upstream in
            // The dead instance is first in round-robin order, so the first request meets it.
            try await warmUp(port)
            lineUp(pool, first: "a-dead", at: "http://127.0.0.1:1", then: upstream)
            for _ in 0..<10 {
                let (response, _) = try await send(.get, port, "/api/v1/echo/deadline")
                #expect(response.status.code == 200)
            }
            let dead = pool.snapshot().first { $0.name == "echo" }?.instances.first { $0.instance.id == "a-dead" }
            #expect(dead?.ejectedFor != nil)
        }
    }

    /// A refused connect reached no instance, so even a request that is not idempotent goes to another one.
    @Test func postWithoutIdempotencyKeyGoesToAnotherInstanceWhenTheFirstRefusedTheConnection() async throws {
        try await withGateway { port, pool, upstream in
            try await warmUp(port)
            lineUp(pool, first: "a-dead", at: "http://127.0.0.1:1", then: upstream)
            let (response, body) = try await send(.post, port, "/api/v1/echo/count", body: ByteBuffer(string: "x"))
            #expect(response.status.code == 200)
            #expect(String(buffer: body).hasPrefix("1 "))
        }
    }

    @Test func postWithIdempotencyKeyIsRetried() async throws {
        try await withGateway { port, pool, upstream in
            try await warmUp(port)
            lineUp(pool, first: "a-dead", at: "http://127.0.0.1:1", then: upstream)
            let (response, body) = try await send(.post, port, "/api/v1/echo/count", headers: [("Idempotency-Key", "k-1")],
                                                  body: ByteBuffer(string: "xyz"))
            #expect(response.status.code == 200)
            #expect(String(buffer: body).hasPrefix("3 "))
        }
    }

    @Test func a503IsRetriedOnAnotherInstance() async throws {
        try await withGateway { port, pool, upstream in
            try await warmUp(port)
            // Same upstream server, but this instance's base path answers 503 to everything.
            lineUp(pool, first: "a-busy", at: upstream + "/unavailable", then: upstream)
            for _ in 0..<2 {
                let (response, body) = try await send(.get, port, "/api/v1/echo/deadline")
                #expect(response.status.code == 200)
                #expect(String(buffer: body) != "none")
            }
        }
    }

    @Test func a503IsPassedOnWhenTheRetryBudgetIsSpent() async throws {
        try await withGateway(settings: ["gateway.retry_budget_ratio": "0"]) { port, pool, upstream in
            lineUp(pool, first: "a-busy", at: upstream + "/unavailable", then: upstream)
            let (response, _) = try await send(.get, port, "/api/v1/echo/deadline")
            #expect(response.status.code == 503)
        }
    }

    @Test func anExhaustedRetryBudgetRefusesTheRetry() async throws {
        try await withGateway(settings: ["gateway.retry_budget_ratio": "0"]) { port, pool, upstream in
            try await warmUp(port)
            lineUp(pool, first: "a-dead", at: "http://127.0.0.1:1", then: upstream)
            let (response, _) = try await send(.get, port, "/api/v1/echo/deadline")
            #expect(response.status.code == 502)
        }
    }

    @Test func theDeadlineIsPassedDownstreamAndBoundsTheWholeChain() async throws {
        try await withGateway { port, _, _ in
            // Generous for the first call (a new upstream connection on a loaded debug build), and still a bound.
            let (response, body) = try await send(.get, port, "/api/v1/echo/deadline", headers: [("X-Bourse-Timeout-Ms", "8000")])
            #expect(response.status.code == 200)
            let remaining = try #require(Int(String(buffer: body)))
            #expect(remaining > 0 && remaining <= 8000)
            let (slow, _) = try await send(.get, port, "/api/v1/echo/slow", headers: [("X-Bourse-Timeout-Ms", "300")])
            #expect(slow.status.code == 504)
        }
    }


    // MARK: Rate limiting

    @Test func overTheQuotaIs429WithRetryAfterAndRateLimitHeaders() async throws {
        try await withGateway(settings: ["gateway.rate_limits": "anonymous:read=3/min"]) { port, _, _ in
            for remaining in [2, 1, 0] {
                let (response, _) = try await send(.get, port, "/api/v1/echo/deadline")
                #expect(response.status.code == 200)
                #expect(response.headers.first(name: "RateLimit-Limit") == "3")
                #expect(response.headers.first(name: "RateLimit-Remaining") == String(remaining))
            }
            let (refused, body) = try await send(.get, port, "/api/v1/echo/deadline")
            #expect(refused.status.code == 429)
            #expect(refused.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(Int(refused.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
            #expect(refused.headers.first(name: "RateLimit-Remaining") == "0")
            #expect(String(buffer: body).contains("rate-limited"))
            // Registry and health routes are never limited: services must always be able to heartbeat.
            let (health, _) = try await send(.get, port, "/health")
            #expect(health.status.code == 200)
        }
    }

    // MARK: Internal credential

    @Test func proxiedRequestsCarryAFreshInternalCredentialAndClientValuesAreDropped() async throws {
        try await withGateway(settings: ["internal.secret": "test-secret"]) { port, _, _ in
            let (response, body) = try await send(.get, port, "/api/v1/echo/internal?q=1", headers: [("X-Bourse-Internal", "v1.1.forged")])
            #expect(response.status.code == 200)
            #expect(String(buffer: body) == "valid")
        }
    }

    @Test func theRegistryRefusesWritesWithoutTheInternalCredential() async throws {
        try await withGateway(settings: ["internal.secret": "test-secret"]) { port, pool, _ in
            let registration = ByteBuffer(string: #"{"service":"evil","instance_id":"evil-1","url":"http://127.0.0.1:9","version":"1"}"#)
            let (refused, _) = try await send(.post, port, "/api/v1/gateway/register", body: registration)
            #expect(refused.status.code == 401)
            #expect(!pool.isKnown("evil"))
            let token = InternalCredential(secret: "test-secret").token(method: "POST", target: "/api/v1/gateway/register")
            let (accepted, _) = try await send(.post, port, "/api/v1/gateway/register", headers: [("X-Bourse-Internal", token)], body: registration)
            #expect(accepted.status.code == 201)
            // The listing names every instance's address: peers (with the credential) and admins only.
            let (anonymous, _) = try await send(.get, port, "/api/v1/gateway/services")
            #expect(anonymous.status.code == 401)
            let read = InternalCredential(secret: "test-secret").token(method: "GET", target: "/api/v1/gateway/services")
            let (listing, _) = try await send(.get, port, "/api/v1/gateway/services", headers: [("X-Bourse-Internal", read)])
            #expect(listing.status.code == 200)
        }
    }
}
