import BourseTesting
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import Testing
@testable import Gateway
import ServiceKit

/// A service's only instance, and requests that each make it close its connection without answering: whatever a
/// client sends, the other callers keep being served.
@Suite struct ClosingUpstreamTests {
    /// An HTTP/1.1 upstream on a real socket that answers `200 ok` to every request, except that a request whose
    /// target contains `/close` makes it close the connection without a word.
    final class ClosingHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            guard text.contains("\r\n\r\n") else { return }
            if text.contains("/close") {
                context.close(promise: nil)
            } else {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")),
                                      promise: nil)
            }
        }
    }

    @Test func aThousandRequestsThatMakeTheOnlyInstanceCloseItsConnectionDoNotTakeTheServiceAway() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ClosingHandler()) } }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let upstreamPort = try #require(server.localAddress?.port)
        try await TestSupport.withService(GatewayService.self, settings: ["gateway.rate_limits": ""]) { service, _, app in
            service.access.setFallback(AccessPolicy(rules: [.init(nil, "/**", .open)]))
            service.pool.upsert(UpstreamPool.Instance(service: "echo", id: "echo-1", url: "http://127.0.0.1:\(upstreamPort)", version: "1"),
                                lease: .seconds(600))
            try await app.test(.live) { gateway in
                let port = try #require(gateway.port)
                var broken = 0
                for n in 0..<1_000 {
                    let answer = try await WireProxyTests.exchange(port: port, "GET /api/v1/echo/close/\(n) HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
                    if WireProxyTests.statuses(answer) == [502] { broken += 1 }
                    if n % 100 == 99 {
                        // Another caller, meanwhile: served.
                        let other = try await WireProxyTests.exchange(port: port, "GET /api/v1/echo/ok HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
                        #expect(WireProxyTests.statuses(other) == [200], "after \(n + 1): \(other)")
                    }
                }
                #expect(broken == 1_000)
            }
        }
    }
}
