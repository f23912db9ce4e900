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
@testable import Portfolio

/// A stand-in `data` service on a real socket: instruments and daily closes the test sets, counting market reads.
final class DataStub: Sendable {
    struct Instrument: Sendable { var currency = "USD"; var type = "equity"; var sector: String?; var country: String? = nil }
    let instruments: Mutex<[String: Instrument]>
    let closes: Mutex<[String: [(String, Double)]]>
    let marketReads = Mutex(0)

    init(instruments: [String: Instrument], closes: [String: [(String, Double)]]) {
        self.instruments = Mutex(instruments)
        self.closes = Mutex(closes)
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/v1/data/instruments/{symbol}") { request, context -> Response in
            let symbol = try context.parameters.require("symbol")
            guard let i = self.instruments.withLock({ $0[symbol] }) else { return Response(status: .notFound) }
            var object: [String: Any] = ["symbol": symbol, "name": symbol, "currency": i.currency, "type": i.type]
            if let sector = i.sector { object["sector"] = sector }
            if let country = i.country { object["country"] = country }
            return Self.json(object)
        }
        router.get("/api/v1/data/market/{symbol}") { request, context -> Response in
            let symbol = try context.parameters.require("symbol")
            self.marketReads.withLock { $0 += 1 }
            let from = request.uri.queryParameters["from"].map(String.init) ?? "0000"
            guard let series = self.closes.withLock({ $0[symbol] }) else { return Response(status: .notFound) }
            let bars = series.filter { $0.0 >= from }.map { ["date": $0.0, "open": $0.1, "high": $0.1, "low": $0.1, "close": $0.1, "adj_close": $0.1, "volume": 100] as [String: Any] }
            return Self.json(["symbol": symbol, "interval": "1d", "adjusted": false, "bars": bars])
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static func json(_ object: [String: Any]) -> Response {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The portfolio service as `bourse serve portfolio` builds it, with `data` stubbed on a real socket and
/// registered in the service's peer pool.
struct PortfolioHarness: Sendable {
    let client: any TestClientProtocol
    let service: PortfolioService
    let environment: ServiceEnvironment
    let data: DataStub

    static let standardInstruments: [String: DataStub.Instrument] = [
        "AAA": .init(sector: "Technology"), "BBB": .init(type: "etf"), "CCC": .init(sector: "Energy"), "MSFT": .init(sector: "Technology"),
        "DDD": .init(sector: "Health"), "EEE": .init(sector: "Finance"),
    ]
    static let standardCloses: [String: [(String, Double)]] = [
        "AAA": [("2024-01-03", 10), ("2024-03-01", 12)],
        "BBB": [("2024-01-04", 20), ("2024-03-01", 22)],
        "MSFT": [("2021-09-01", 300), ("2021-12-31", 330)],
    ]

    static func with(_ engine: Database.Engine = .sqlite, instruments: [String: DataStub.Instrument] = standardInstruments,
                     closes: [String: [(String, Double)]] = standardCloses,
                     _ body: @escaping @Sendable (PortfolioHarness) async throws -> Void) async throws {
        let stub = DataStub(instruments: instruments, closes: closes)
        try await stub.application().test(.live) { upstream in
            let url = "http://127.0.0.1:\(try #require(upstream.port))"
            let databaseURL = try await TestSupport.databaseURL(engine)
            let dataDir = TestSupport.temporaryDirectory()
            let busURL: String? = databaseURL.hasPrefix("postgres") ? databaseURL : nil
            defer { Task { await BusStores.shared.close(url: busURL, dataDir: dataDir) } }
            try await TestSupport.withService(PortfolioService.self, settings: ["database.url": databaseURL, "data.dir": dataDir]) { service, environment, app in
                environment.peers.caller.pool.upsert(.init(service: "data", id: "data-stub", url: url, version: "1"), lease: .seconds(600))
                try await app.test(.router) { client in
                    try await body(PortfolioHarness(client: client, service: service, environment: environment, data: stub))
                }
            }
        }
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, as user: User? = .alice, json: String? = nil, csv: String? = nil,
              accept: String? = nil) async throws -> Reply {
        var headers = user?.headers ?? HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if csv != nil { headers[.contentType] = "text/csv" }
        if let accept { headers[.accept] = accept }
        let uri = path.hasPrefix("/") ? path : "/api/v1/portfolio/portfolios/" + path
        return try await client.execute(uri: uri, method: method, headers: headers, body: (json ?? csv).map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, text: String(buffer: response.body), headers: response.headers)
        }
    }

    /// Creates a portfolio for `user` and returns its id.
    func createPortfolio(_ name: String = "Main", currency: String = "USD", as user: User = .alice) async throws -> String {
        let reply = try await call(.post, "/api/v1/portfolio/portfolios", as: user, json: #"{"name":"\#(name)","base_currency":"\#(currency)"}"#)
        guard reply.status == .created, let id = reply.json["id"] as? String else { throw HarnessError(description: "create: \(reply.status) \(reply.text)") }
        return id
    }

    func transactionCount(_ id: String) async throws -> Int {
        try await call(.get, "\(id)/transactions").json["total"] as? Int ?? -1
    }

    func outboxCount() async throws -> Int {
        try await environment.database!.withSQL { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM bus_outbox WHERE topic = 'portfolio.transaction.recorded'").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    struct HarnessError: Error, CustomStringConvertible { let description: String }
}

/// The small ledger every analytics test uses, checked by hand in ``AnalyticsTests``.
enum HandLedger {
    static let csv = """
        date,type,symbol,quantity,price,fee,amount,currency
        2024-01-02,DEPOSIT,CASH,0,0,0,10000,USD
        2024-01-03,BUY,AAA,100,10,5,-1005,USD
        2024-01-04,BUY,BBB,50,20,0,-1000,USD
        2024-02-01,SELL,AAA,40,15,6,594,USD
        2024-02-15,DIVIDEND,AAA,60,0.5,0,30,USD
        """
}
