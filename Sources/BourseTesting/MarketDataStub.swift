import Foundation
import Hummingbird
import NIOCore
import Quant
import Synchronization

/// A stand-in `data` service on a real socket for service tests: instruments (listed and one by one), daily bars
/// (ranges by `from`/`to`, an `ETag` per symbol's version) and fundamentals, all set by the test and changeable
/// while it runs. Counts the bar reads.
public final class MarketDataStub: Sendable {
    public struct Instrument: Sendable {
        public var name: String
        public var sector: String?
        public var currency: String
        public init(name: String, sector: String? = nil, currency: String = "USD") {
            (self.name, self.sector, self.currency) = (name, sector, currency)
        }
    }

    public let series: Mutex<[String: OHLCV]>
    public let instruments: Mutex<[String: Instrument]>
    /// Per symbol: statements as `data` answers them (`statement`, `period`, `period_end`, `currency`, `items`).
    public let statements: Mutex<[String: [[String: any Sendable]]]>
    public let reads = Mutex(0)
    private let versions = Mutex<[String: Int]>([:])

    /// Every symbol of `series` is also an instrument unless `instruments` names it.
    public init(series: [String: OHLCV], instruments: [String: Instrument] = [:], statements: [String: [[String: any Sendable]]] = [:]) {
        var all = instruments
        for symbol in series.keys where all[symbol] == nil { all[symbol] = Instrument(name: symbol) }
        self.series = Mutex(series)
        self.instruments = Mutex(all)
        self.statements = Mutex(statements)
    }

    /// Replaces a symbol's bars (a new version: a new ETag).
    public func set(_ symbol: String, _ bars: OHLCV) {
        series.withLock { $0[symbol] = bars }
        versions.withLock { $0[symbol, default: 0] += 1 }
    }

    public func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/v1/data/instruments") { request, _ -> Response in
            let limit = request.uri.queryParameters["limit"].flatMap { Int(String($0)) } ?? 100
            let offset = request.uri.queryParameters["offset"].flatMap { Int(String($0)) } ?? 0
            let all = self.instruments.withLock { $0 }.sorted { $0.key < $1.key }
            let page = all.dropFirst(offset).prefix(limit).map { Self.instrument($0.key, $0.value) }
            return Self.json(["items": Array(page), "total": all.count, "limit": limit, "offset": offset])
        }
        router.get("/api/v1/data/instruments/{symbol}") { _, context -> Response in
            let symbol = try context.parameters.require("symbol")
            guard let i = self.instruments.withLock({ $0[symbol] }) else { return Response(status: .notFound) }
            return Self.json(Self.instrument(symbol, i))
        }
        router.get("/api/v1/data/market/{symbol}") { request, context -> Response in
            let symbol = try context.parameters.require("symbol")
            self.reads.withLock { $0 += 1 }
            let from = request.uri.queryParameters["from"].map(String.init) ?? "0000"
            let to = request.uri.queryParameters["to"].map(String.init) ?? "9999"
            guard let b = self.series.withLock({ $0[symbol] }) else { return Response(status: .notFound) }
            let tag = "\"\(symbol)-\(self.versions.withLock { $0[symbol, default: 0] })-\(from)-\(to)\""
            if (request.headers[.accept] ?? "").contains("text/csv") {
                var csv = "Date,Open,High,Low,Close,Adj Close,Volume\n"
                for i in b.dates.indices where b.dates[i] >= from && b.dates[i] <= to {
                    csv += "\(b.dates[i]),\(b.open[i]),\(b.high[i]),\(b.low[i]),\(b.close[i]),\(b.close[i]),\(b.volume[i])\n"
                }
                return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .eTag: tag + "-csv"],
                                body: .init(byteBuffer: ByteBuffer(string: csv)))
            }
            let rows: [[String: Any]] = b.dates.indices.filter { b.dates[$0] >= from && b.dates[$0] <= to }.map { i in
                ["date": b.dates[i], "open": b.open[i], "high": b.high[i], "low": b.low[i], "close": b.close[i], "adj_close": b.close[i], "volume": b.volume[i]]
            }
            var response = Self.json(["symbol": symbol, "interval": "1d", "adjusted": false, "bars": rows])
            response.headers[.eTag] = tag
            return response
        }
        router.get("/api/v1/data/fundamentals/{symbol}") { request, context -> Response in
            let symbol = try context.parameters.require("symbol")
            guard self.instruments.withLock({ $0[symbol] }) != nil else { return Response(status: .notFound) }
            let period = request.uri.queryParameters["period"].map(String.init)
            let list = self.statements.withLock { $0[symbol] ?? [] }.filter { period == nil || $0["period"] as? String == period }
            return Self.json(["symbol": symbol, "statements": list])
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static func instrument(_ symbol: String, _ i: Instrument) -> [String: Any] {
        var o: [String: Any] = ["symbol": symbol, "name": i.name, "currency": i.currency, "type": "equity"]
        if let sector = i.sector { o["sector"] = sector }
        return o
    }

    static func json(_ object: [String: Any]) -> Response {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
