import BourseTesting
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import Gateway
import ServiceKit

/// The gateway's wire path against a real upstream over real sockets, with raw HTTP/1.1 bytes from the client
/// (pipelining, refused heads, HTTP/1.0), which an HTTP client library would never send.
@Suite struct WireProxyTests {
    /// Writes `request` on a new connection (all at once, or a byte at a time with a pause after each) and reads
    /// until the gateway closes it.
    static func exchange(port: Int, _ request: String, byteByByte: Bool = false) async throws -> String {
        try await withDeadline(.seconds(20)) {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                if byteByByte {
                    for byte in request.utf8 {
                        try await outbound.write(ByteBuffer(bytes: [byte]))
                        try await Task.sleep(for: .milliseconds(1))
                    }
                } else {
                    try await outbound.write(ByteBuffer(string: request))
                }
                var text = ""
                for try await chunk in inbound { text += String(buffer: chunk) }
                return text
            }
        }
    }

    /// The status codes of the responses in `text`, in order.
    static func statuses(_ text: String) -> [Int] {
        // A response starts right after the previous body, which has no line end of its own.
        text.components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
    }

    @Test func pipelinedRequestsOnBothPathsAreAnsweredInOrder() async throws {
        try await ProxyTests().withGateway { port, _, _ in
            let body = "pipelined body"
            let text = try await Self.exchange(port: port, [
                "GET /api/v1/echo/deadline HTTP/1.1\r\nHost: gw\r\nX-Bourse-Timeout-Ms: 1111\r\n\r\n",  // wire path
                "PUT /api/v1/echo/headers HTTP/1.1\r\nHost: gw\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",  // router
                "GET /api/v1/echo/deadline HTTP/1.1\r\nHost: gw\r\nX-Bourse-Timeout-Ms: 2222\r\n\r\n",  // wire path again
                "GET /api/v1/nobody/x HTTP/1.1\r\nHost: gw\r\n\r\n",  // answered by the gateway itself
                "GET /api/v1/echo/deadline HTTP/1.1\r\nHost: gw\r\nX-Bourse-Timeout-Ms: 3333\r\nConnection: close\r\n\r\n",
            ].joined())
            #expect(Self.statuses(text) == [200, 202, 200, 404, 200])
            // Each body follows its own head: the deadlines come back in the order they were sent, around the echo.
            let order = ["\r\n\r\n1", "pipelined body", "\r\n\r\n2", "nobody", "\r\n\r\n3"].map { text.range(of: $0)?.lowerBound }
            #expect(order.allSatisfy { $0 != nil })
            #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        }
    }

    @Test func aHeadTheWireParserRefusesIsLeftToTheCodecWhichRejectsIt() async throws {
        try await ProxyTests().withGateway { port, _, _ in
            let text = try await Self.exchange(port: port, "GET /api/v1/echo/deadline HTTP/1.1\r\nHost: gw\r\nBad Header: x\r\n\r\n")
            #expect(Self.statuses(text) == [400])
        }
    }

    @Test func http10RequestsAreServedThroughTheRouter() async throws {
        try await ProxyTests().withGateway { port, _, _ in
            let text = try await Self.exchange(port: port, "GET /api/v1/echo/deadline HTTP/1.0\r\nX-Bourse-Timeout-Ms: 4321\r\nConnection: close\r\n\r\n")
            #expect(text.hasPrefix("HTTP/1.1 200") || text.hasPrefix("HTTP/1.0 200"))
            let deadline = Int(text.components(separatedBy: "\r\n\r\n").last ?? "") ?? 0
            #expect(deadline > 0 && deadline <= 4321)
        }
    }

    @Test func aHeadArrivingOneByteAtATimeIsStillProxied() async throws {
        try await ProxyTests().withGateway { port, _, _ in
            // The first request is one the wire path takes; the second (`Connection: close`) goes to the router
            // and ends the connection.
            let request = "GET /api/v1/echo/deadline HTTP/1.1\r\nHost: gw\r\nX-Bourse-Timeout-Ms: 5000\r\n\r\n"
                + "GET /api/v1/echo/deadline HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"
            let text = try await Self.exchange(port: port, request, byteByByte: true)
            #expect(Self.statuses(text) == [200, 200])
        }
    }

    @Test func aHeadWithBareLineFeedsIsNotLeftWaiting() async throws {
        try await ProxyTests().withGateway { port, _, _ in
            // The wire path waits for CRLF CRLF; a bare-LF head goes to the codec at once, which answers it either way.
            let text = try await Self.exchange(port: port, "GET /api/v1/echo/deadline HTTP/1.1\nHost: gw\nConnection: close\n\n")
            #expect(Self.statuses(text).count == 1)
        }
    }

    @Test func theWirePathPassesHeaderLinesAsTheyCameAndAddsForwardingIdentityAndTrace() async throws {
        try await ProxyTests().withGateway { port, _, _ in
            let text = try await Self.exchange(port: port, [
                "GET /api/v1/echo/headers?x=1 HTTP/1.1\r\nHost: gw.example\r\nX-Custom:  kept as sent\r\nX-Request-ID: req-42\r\n"
                    + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nX-Forwarded-For: 10.1.2.3\r\n"
                    + "Accept: application/json\r\n\r\n",
                "GET /api/v1/nobody/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",  // the router answers, and closes
            ].joined())
            #expect(Self.statuses(text) == [200, 404])
            let first = try #require(text.components(separatedBy: "HTTP/1.1 ").dropFirst().first)
            #expect(first.contains("\r\nX-Upstream: yes\r\n"))
            #expect(first.contains("\r\nX-Request-ID: req-42\r\n"))
            let body = try #require(first.range(of: "\r\n\r\n").map { String(first[$0.upperBound...]) })
            let echo = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let headers = try #require(echo["headers"] as? [String: String])
            #expect(echo["uri"] as? String == "/api/v1/echo/headers?x=1")
            #expect(headers["x-custom"] == "kept as sent")
            #expect(headers["accept"] == "application/json")
            #expect(headers["x-request-id"] == "req-42")
            #expect(headers["x-forwarded-for"] == "10.1.2.3, 127.0.0.1")
            #expect(headers["x-forwarded-proto"] == "http")
            #expect(headers["x-forwarded-host"] == "gw.example")
            let traceparent = try #require(headers["traceparent"])
            #expect(traceparent.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") && traceparent.hasSuffix("-01"))
            #expect(!traceparent.contains("00f067aa0ba902b7"))
        }
    }

    @Test func changedAccessRulesApplyToTheWirePathAtOnce() async throws {
        try await ProxyTests().withGatewayService { port, service, _ in
            let request = "GET /api/v1/echo/headers HTTP/1.1\r\nHost: gw\r\n\r\n"
            let close = "GET /api/v1/nobody/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"
            // Open: proxied (and the path's requirement is now remembered by the loop).
            let open = try await Self.exchange(port: port, request + request + close)
            #expect(Self.statuses(open) == [200, 200, 404])
            // The service now needs a scope: the remembered answer is not used, the caller has no token.
            service.access.update(service: "echo", policy: AccessPolicy(rules: [.init(nil, "/api/v1/echo/**", .scope("echo:read"))]))
            let closed = try await Self.exchange(port: port, request + close)
            #expect(Self.statuses(closed) == [401, 404])
            service.access.update(service: "echo", policy: AccessPolicy(rules: [.init(nil, "/api/v1/echo/**", .open)]))
            let reopened = try await Self.exchange(port: port, request + close)
            #expect(Self.statuses(reopened) == [200, 404])
        }
    }

    @Test func aClientPipeliningMoreThanTheBufferLimitIsPausedAndResumedNotDropped() async throws {
        try await ProxyTests().withGateway { port, _, _ in
            // 300 requests of ~8 KiB each (2.4 MiB) in one write: more than the wire path holds before it stops
            // reading; every one must still be answered, in order.
            let pad = String(repeating: "p", count: 8_000)
            let count = 300
            let requests = (0..<count).map { i in
                "GET /api/v1/echo/deadline HTTP/1.1\r\nHost: gw\r\nX-Pad: \(pad)\r\n\(i == count - 1 ? "Connection: close\r\n" : "")\r\n"
            }
            let text = try await Self.exchange(port: port, requests.joined())
            #expect(Self.statuses(text) == Array(repeating: 200, count: count))
        }
    }

    @Test func aKeepAliveConnectionTakingTurnsBetweenRouterAndWirePathKeepsBeingRead() async throws {
        // The wire path asks for the connection's reads itself; after a router exchange (a body sent in two parts
        // with a pause between them, so it spans reads) the connection must still be read, turn after turn.
        try await ProxyTests().withGateway { port, _, _ in
            try await withDeadline(.seconds(20)) {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port) { channel in
                        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                    }
                try await channel.executeThenClose { inbound, outbound in
                    var responses = inbound.makeAsyncIterator()
                    var pending = ""
                    /// Reads one whole response (head and `Content-Length` body) and returns its status.
                    func response() async throws -> Int {
                        while true {
                            if let headEnd = pending.range(of: "\r\n\r\n") {
                                let head = pending[..<headEnd.lowerBound]
                                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                                let body = pending[headEnd.upperBound...]
                                if body.utf8.count >= length {
                                    let status = Int(pending.dropFirst(9).prefix(3)) ?? 0
                                    pending = String(String(body).utf8.dropFirst(length))!
                                    return status
                                }
                            }
                            guard let chunk = try await responses.next() else { return 0 }
                            pending += String(buffer: chunk)
                        }
                    }
                    let wire = "GET /api/v1/echo/deadline HTTP/1.1\r\nHost: gw\r\n\r\n"
                    let body = String(repeating: "b", count: 3_000)
                    for _ in 0..<3 {
                        try await outbound.write(ByteBuffer(string: wire))
                        #expect(try await response() == 200)
                        try await outbound.write(ByteBuffer(string: "PUT /api/v1/echo/headers HTTP/1.1\r\nHost: gw\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                            + body.prefix(1_000)))
                        try await Task.sleep(for: .milliseconds(50))
                        try await outbound.write(ByteBuffer(string: String(body.dropFirst(1_000))))
                        #expect(try await response() == 202)
                        try await outbound.write(ByteBuffer(string: "GET /api/v1/nobody/x HTTP/1.1\r\nHost: gw\r\n\r\n"))
                        #expect(try await response() == 404)
                    }
                }
            }
        }
    }
}
