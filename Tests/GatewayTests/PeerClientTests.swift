import AsyncHTTPClient
import BourseTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import Gateway
import ServiceKit

/// Service-to-service calls: instances discovered from the gateway's listing, then called directly with the
/// same routing code as the proxy.
@Suite struct PeerClientTests {
    @Test func peersDiscoverInstancesFromTheGatewayAndRetryAroundADeadOne() async throws {
        try await ProxyTests.upstream(gate: ProxyTests.Gate()).test(.live) { upstream in
            let upstreamURL = "http://127.0.0.1:\(try #require(upstream.port))"
            try await TestSupport.withService(GatewayService.self) { gateway, environment, app in
                try await app.test(.live) { client in
                    let gatewayURL = "http://127.0.0.1:\(try #require(client.port))"
                    gateway.pool.upsert(.init(service: "echo", id: "a-dead", url: "http://127.0.0.1:1", version: "1"), lease: .seconds(60))
                    gateway.pool.upsert(.init(service: "echo", id: "b-live", url: upstreamURL, version: "1"), lease: .seconds(60))

                    let pool = UpstreamPool()
                    let directory = ServiceDirectory(pool: pool, client: environment.client, gatewayURL: gatewayURL,
                                                     interval: .seconds(1), logger: TestSupport.logger)
                    try await directory.refresh()
                    #expect(Set(pool.snapshot().first { $0.name == "echo" }?.instances.map(\.instance.id) ?? []) == ["a-dead", "b-live"])

                    let budget = RetryBudget(ratio: 0.2, initialTokens: 5)
                    let peers = PeerClient(caller: UpstreamCaller(pool: pool, http: environment.client.http, budget: budget))
                    for _ in 0..<4 {
                        let reply = try await peers.send("echo", .GET, "/api/v1/echo/deadline", deadline: .now + .seconds(5))
                        #expect(reply.status == 200)
                        let remaining = Int(String(buffer: reply.body)) ?? 0
                        #expect(remaining > 0 && remaining <= 5000)
                    }
                    await #expect(throws: Problem.self) {
                        _ = try await peers.send("nobody", .GET, "/x")
                    }
                }
            }
        }
    }
}
