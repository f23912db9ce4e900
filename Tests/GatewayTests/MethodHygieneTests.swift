import Foundation
import HTTPTypes
import NIOCore
import Testing
@testable import Gateway
import ServiceKit

/// Requests no route can accept are refused at the edge, before authentication, and never reach an upstream
/// (whose HTTP stack might answer them by closing its connection).
extension ProxyTests {
    @Test func traceConnectAndOtherUndeclaredMethodsAre405WithAllowAndNeverForwarded() async throws {
        try await withGateway { port, registry, _ in
            for method in ["TRACE", "CONNECT", "OPTIONS", "PROPFIND"] {
                let target = method == "CONNECT" ? "127.0.0.1:1" : "/api/v1/echo/headers"
                let text = try await WireProxyTests.exchange(port: port, """
                    \(method) \(target) HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}
                    """)
                #expect(WireProxyTests.statuses(text) == [405], "\(method): \(text)")
                #expect(text.lowercased().contains("allow: get, head, post, put, patch, delete"), "\(method)")
            }
            // A token the HTTP parser does not know is refused by the parser itself, never forwarded either.
            let unknown = try await WireProxyTests.exchange(port: port, "BREW /api/v1/echo/headers HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
            #expect(WireProxyTests.statuses(unknown) == [400])
            // The instance is untouched: no ejection, no open circuit, and the next read is answered.
            let (response, _) = try await send(.get, port, "/api/v1/echo/headers")
            #expect(response.status.code == 200)
            #expect(registry.snapshot().first { $0.name == "echo" }?.instances.first?.ejections == 0)
        }
    }

    @Test func aGetOrHeadWithABodyOrAmbiguousFramingIs400AndNeverForwarded() async throws {
        try await withGateway { port, _, _ in
            let withBody = try await WireProxyTests.exchange(port: port,
                "GET /api/v1/echo/headers HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
            #expect(WireProxyTests.statuses(withBody) == [400], "\(withBody)")
            #expect(!withBody.contains("X-Upstream"))
            let head = try await WireProxyTests.exchange(port: port,
                "HEAD /api/v1/echo/headers HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            #expect(WireProxyTests.statuses(head) == [400], "\(head)")
        }
    }
}
