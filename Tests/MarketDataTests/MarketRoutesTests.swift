import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Quant
import Testing
@testable import MarketData
import ServiceKit

/// Bars through the `data` service's market routes, on SQLite and PostgreSQL.
@Suite struct MarketRoutesTests {
    static let prices = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/prices")

    /// The rows of a real price file, oldest first.
    static func bars(_ file: String) throws -> [DailyBar] {
        let text = try String(contentsOf: prices.appendingPathComponent(file), encoding: .utf8)
        let table = try PriceTable.parse(text, source: file)
        let (o, h, l, c, a, v) = try (table.column("Open"), table.column("High"), table.column("Low"), table.column("Close"),
                                      table.column("Adj Close"), table.column("Volume"))
        return table.dates.indices.map { i in
            DailyBar(date: table.dates[i], open: o[i], high: h[i], low: l[i], close: c[i], adjClose: a[i], volume: v[i])
        }.sorted { $0.date < $1.date }
    }

    func withBars(_ engine: Database.Engine, _ body: @escaping @Sendable (MarketDataService, any TestClientProtocol) async throws -> Void) async throws {
        try await DataServiceHarness.with(engine) { service, _, app in
            try await app.test(.router) { client in try await body(service, client) }
        }
    }

    @Test(arguments: TestSupport.engines)
    func csvOfAStoredSeriesEqualsTheFileItCameFromOnEveryRow(engine: Database.Engine) async throws {
        let daily = try Self.bars("orcl-1995-2014.csv")
        try await withBars(engine) { service, client in
            #expect(try await service.bars.insert(symbol: "ORCL", bars: daily) == daily.count)
            try await client.execute(uri: "/api/v1/data/market/orcl", method: .get, headers: [.accept: "text/csv"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.first == "Date,Open,High,Low,Close,Adj Close,Volume")
                #expect(lines.count == daily.count + 1)
                let parsed = try PriceTable.parse(String(buffer: response.body), source: "response")
                #expect(parsed.dates == daily.map(\.date))
                #expect(try parsed.column("Close") == daily.map(\.close))
                #expect(try parsed.column("Adj Close") == daily.map(\.adjClose))
                #expect(try parsed.column("Volume") == daily.map(\.volume))
                #expect(try parsed.column("High") == daily.map(\.high))
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func storingTheSameBarsTwiceChangesNothing(engine: Database.Engine) async throws {
        let daily = Array(try Self.bars("nvda-1999-2014.csv").prefix(1200))
        try await withBars(engine) { service, _ in
            #expect(try await service.bars.insert(symbol: "NVDA", bars: daily) == 1200)
            var altered = daily
            altered[0].close = 999
            #expect(try await service.bars.insert(symbol: "NVDA", bars: altered) == 0)
            let stored = try await service.bars.range(symbol: "NVDA", from: nil, to: nil)
            #expect(stored == daily)
        }
    }

    @Test func weeklyAndMonthlyAnswersAreTheResampledSeriesWithinTheRange() async throws {
        let daily = try Self.bars("yhoo-1996-2014.csv")
        try await withBars(.sqlite) { service, client in
            try await service.bars.insert(symbol: "YHOO", bars: daily)
            for interval in [BarInterval.week, .month] {
                let inRange = daily.filter { $0.date >= "2008-01-01" && $0.date <= "2009-12-31" }
                let expected = try Resampler.resample(inRange, to: interval)
                try await client.execute(uri: "/api/v1/data/market/YHOO?from=2008-01-01&to=2009-12-31&interval=\(interval.rawValue)", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    let bars = body?["bars"] as? [[String: Any]] ?? []
                    #expect(bars.count == expected.count)
                    #expect(bars.map { $0["date"] as? String } == expected.map(\.date))
                    #expect(bars.map { $0["volume"] as? Double } == expected.map(\.volume))
                    #expect(bars.map { $0["high"] as? Double } == expected.map(\.high))
                }
            }
        }
    }

    @Test func adjustedBarsScalePricesByTheAdjustmentFactor() async throws {
        let bar = DailyBar(date: "2020-01-02", open: 100, high: 110, low: 90, close: 100, adjClose: 50, volume: 1000)
        try await withBars(.sqlite) { service, client in
            try await service.bars.insert(symbol: "X", bars: [bar])
            try await client.execute(uri: "/api/v1/data/market/X?adjusted=true", method: .get) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let first = (body?["bars"] as? [[String: Any]])?.first ?? [:]
                #expect(first["open"] as? Double == 50)
                #expect(first["high"] as? Double == 55)
                #expect(first["low"] as? Double == 45)
                #expect(first["close"] as? Double == 50)
                #expect(first["volume"] as? Double == 1000)
            }
        }
    }

    @Test func anUnchangedSeriesAnswers304ToItsETag() async throws {
        let daily = Array(try Self.bars("orcl-1995-2014.csv").prefix(50))
        try await withBars(.sqlite) { service, client in
            try await service.bars.insert(symbol: "ORCL", bars: daily)
            let tag = try await client.execute(uri: "/api/v1/data/market/ORCL", method: .get) { response in
                #expect(response.headers[.cacheControl] != nil)
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/api/v1/data/market/ORCL", method: .get, headers: [.ifNoneMatch: tag]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await service.bars.insert(symbol: "ORCL", bars: [DailyBar(date: "2030-01-02", open: 1, high: 1, low: 1, close: 1, adjClose: 1, volume: 1)])
            try await client.execute(uri: "/api/v1/data/market/ORCL", method: .get, headers: [.ifNoneMatch: tag]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func latestBatchAndBadQueries() async throws {
        let daily = Array(try Self.bars("orcl-1995-2014.csv").suffix(10))
        try await withBars(.sqlite) { service, client in
            try await service.bars.insert(symbol: "ORCL", bars: daily)
            try await client.execute(uri: "/api/v1/data/market/ORCL/latest", method: .get) { response in
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((body?["bar"] as? [String: Any])?["date"] as? String == daily.last?.date)
            }
            try await client.execute(uri: "/api/v1/data/market", method: .post,
                                     body: ByteBuffer(string: #"{"symbols":["orcl","nope"],"interval":"1w"}"#)) { response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((body?["results"] as? [String: Any])?.keys.sorted() == ["ORCL"])
                #expect(body?["not_found"] as? [String] == ["NOPE"])
            }
            try await client.execute(uri: "/api/v1/data/market/ORCL?from=2014-13-01&interval=5m&adjusted=maybe", method: .get) { response in
                #expect(response.status == .badRequest)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let fields = (body?["errors"] as? [[String: String]] ?? []).compactMap { $0["field"] }
                #expect(Set(fields) == ["from", "interval", "adjusted"])
            }
            try await client.execute(uri: "/api/v1/data/market/NOPE", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
