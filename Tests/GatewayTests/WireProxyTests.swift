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
}
