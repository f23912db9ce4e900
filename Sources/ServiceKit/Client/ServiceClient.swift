import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// The one HTTP client of a Bourse process (AsyncHTTPClient underneath): JSON calls between services and
/// the gateway's streaming proxy both go through it. Redirects are never followed (a proxy must pass them
/// on) and the request id and trace context of the current request travel with every call.
public struct ServiceClient: Sendable {
    public let http: HTTPClient

    public init(http: HTTPClient) {
        self.http = http
    }

    /// A client configured for service-to-service traffic: short connect timeout, no redirects,
    /// no decompression, a generous keep-alive pool. No idle-read timeout: every call through it carries the
    /// request's deadline (``UpstreamCaller``, ``ServiceClient``), which bounds it; a fixed read timeout could only
    /// cut a request short of the deadline its caller asked for (an upload given 240 s failed at 60 s).
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(2), read: nil),
            decompression: .disabled
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A collected response of a JSON call.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: ByteBuffer
    }

    /// Sends one request and collects the whole response (bounded by `maxResponseBytes`).
    public func send(
        _ method: HTTPMethod, _ url: String, json body: (some Encodable & Sendable)? = Optional<Int>.none,
        headers: [(String, String)] = [], trace: TraceContext? = nil, requestID: String? = nil,
        timeout: Duration = .seconds(5), maxResponseBytes: Int = 4 * 1024 * 1024
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let trace { request.headers.replaceOrAdd(name: "traceparent", value: trace.traceparent) }
        if let requestID { request.headers.replaceOrAdd(name: "X-Request-ID", value: requestID) }
        if let body {
            let data = try ServiceJSON.encoder().encode(body)
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let response = try await http.execute(request, deadline: deadline)
        let collected = try await response.body.collect(upTo: maxResponseBytes)
        return Reply(status: Int(response.status.code), headers: response.headers, body: collected)
    }
}

/// Shuts the process's HTTP client down after every service that uses it has stopped (it is first in the
/// service group, so last to stop).
public struct HTTPClientService: Service {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
