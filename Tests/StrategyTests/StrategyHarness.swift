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

/// The real price files of `Tests/Fixtures/prices`, parsed once.
enum PriceFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("prices")

    static let files = ["ORCL": "orcl-1995-2014.csv", "NVDA": "nvda-1999-2014.csv", "YHOO": "yhoo-1996-2014.csv"]

    static func bars(_ symbol: String) throws -> OHLCV {
        let url = directory.appendingPathComponent(files[symbol]!)
        return try PriceTable.parse(try String(contentsOf: url, encoding: .utf8), source: url.path).ohlcv()
    }

    static let all: [String: OHLCV] = {
        var out: [String: OHLCV] = [:]
        for symbol in files.keys { out[symbol] = try? bars(symbol) }
        return out
    }()
}

/// A stand-in `data` service on a real socket serving the real price files (bars can be appended by a test).
final class MarketStub: Sendable {
    let series: Mutex<[String: OHLCV]>
    let reads = Mutex(0)

    init(_ series: [String: OHLCV] = PriceFiles.all) { self.series = Mutex(series) }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/v1/data/instruments/{symbol}") { request, context -> Response in
            let symbol = try context.parameters.require("symbol")
            guard self.series.withLock({ $0[symbol] }) != nil else { return Response(status: .notFound) }
            return Self.json(["symbol": symbol, "name": symbol, "currency": "USD", "type": "equity"])
        }
        router.get("/api/v1/data/market/{symbol}") { request, context -> Response in
            let symbol = try context.parameters.require("symbol")
            self.reads.withLock { $0 += 1 }
            let from = request.uri.queryParameters["from"].map(String.init) ?? "0000"
            let to = request.uri.queryParameters["to"].map(String.init) ?? "9999"
            guard let b = self.series.withLock({ $0[symbol] }) else { return Response(status: .notFound) }
            let rows: [[String: Any]] = b.dates.indices.filter { b.dates[$0] >= from && b.dates[$0] <= to }.map { i in
                ["date": b.dates[i], "open": b.open[i], "high": b.high[i], "low": b.low[i], "close": b.close[i], "adj_close": b.close[i], "volume": b.volume[i]]
            }
            return Self.json(["symbol": symbol, "interval": "1d", "adjusted": false, "bars": rows])
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static func json(_ object: [String: Any]) -> Response {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
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
