import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Quant
import ServiceKit
import Synchronization
import Testing
@testable import Strategy

typealias MarketStub = MarketDataStub

extension MarketDataStub {
    /// The three real price files.
    convenience init() { self.init(series: PriceFiles.all) }
    convenience init(_ series: [String: OHLCV]) { self.init(series: series) }
}

/// The strategy service as `bourse serve strategy` builds it, with `data` stubbed on a real socket; its run worker
/// runs in the background like in the real process.
struct StrategyHarness: Sendable {
    let client: any TestClientProtocol
    let service: StrategyService
    let environment: ServiceEnvironment
    let market: MarketStub
    let database: (url: String, dataDir: String)

    /// `database`: the URL and data directory of an earlier harness, to run the service again on its database
    /// (a restart).
    static func with(_ engine: Database.Engine = .sqlite, market: MarketStub = MarketStub(), runWorker: Bool = true,
                     database: (url: String, dataDir: String)? = nil,
                     _ body: @escaping @Sendable (StrategyHarness) async throws -> Void) async throws {
        try await market.application().test(.live) { upstream in
            let url = "http://127.0.0.1:\(try #require(upstream.port))"
            let fresh: String? = database == nil ? try await TestSupport.databaseURL(engine) : nil
            let databaseURL = database?.url ?? fresh ?? ""
            let dataDir = database?.dataDir ?? TestSupport.temporaryDirectory()
            let busURL: String? = databaseURL.hasPrefix("postgres") ? databaseURL : nil
            defer { Task { await BusStores.shared.close(url: busURL, dataDir: dataDir) } }
            try await TestSupport.withService(StrategyService.self, settings: [
                "database.url": databaseURL, "data.dir": dataDir, "strategy.poll_seconds": "0.05",
            ]) { service, environment, app in
                environment.peers.caller.pool.upsert(.init(service: "data", id: "data-stub", url: url, version: "1"), lease: .seconds(600))
                let worker = runWorker ? Task { try await service.worker.run() } : nil
                defer { worker?.cancel() }
                try await app.test(.router) { client in
                    try await body(StrategyHarness(client: client, service: service, environment: environment, market: market,
                                                   database: (databaseURL, dataDir)))
                }
            }
        }
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, as user: User? = .alice, json: String? = nil, accept: String? = nil) async throws -> Reply {
        var headers = user?.headers ?? HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if let accept { headers[.accept] = accept }
        return try await client.execute(uri: "/api/v1/strategy/" + path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, text: String(buffer: response.body), headers: response.headers)
        }
    }

    /// Polls a run until it has ended (or 60 s pass) and answers its last state.
    func finished(_ path: String, as user: User = .alice) async throws -> Reply {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let reply = try await call(.get, path, as: user)
            let status = reply.json["status"] as? String ?? ""
            if ["succeeded", "failed", "cancelled"].contains(status) || ContinuousClock.now > deadline { return reply }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
