import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Quant
import Testing
@testable import MarketData
@testable import ServiceKit

/// The bulk store path (SQLite prepared statement, PostgreSQL binary COPY) and the response cache it invalidates.
@Suite struct BarBulkTests {
    static func series(_ symbol: String, from file: String, count: Int) throws -> (symbol: String, bars: [DailyBar]) {
        (symbol, Array(try MarketRoutesTests.bars(file).prefix(count)))
    }

    @Test(arguments: TestSupport.engines)
    func bulkInsertStoresEveryBarOnceAndKeepsStoredOnes(engine: Database.Engine) async throws {
        try await DataServiceHarness.with(engine) { service, _, _ in
            let orcl = try Self.series("ORCL", from: "orcl-1995-2014.csv", count: 4_500)
            let nvda = try Self.series("NVDA", from: "nvda-1999-2014.csv", count: 3_000)
            #expect(try await service.bars.insertBulk(.init([orcl, nvda])) == 7_500)
            #expect(try await service.bars.range(symbol: "ORCL", from: nil, to: nil) == orcl.bars)
            #expect(try await service.bars.range(symbol: "NVDA", from: nil, to: nil) == nvda.bars)
            // Overlapping rows (PostgreSQL: COPY fails on the key, the staged path takes over) with other values.
            let changed = orcl.bars.prefix(100).map { DailyBar(date: $0.date, open: 1, high: 1, low: 1, close: 1, adjClose: 1, volume: 1) }
            let more = try MarketRoutesTests.bars("orcl-1995-2014.csv")[4_500..<4_600]
            #expect(try await service.bars.insertBulk(.init([("ORCL", changed + more)])) == 100)
            #expect(try await service.bars.range(symbol: "ORCL", from: nil, to: nil) == orcl.bars + more)
            #expect(try await service.bars.version(of: "ORCL") == 2)
            #expect(try await service.bars.version(of: "NVDA") == 1)
        }
    }

    @Test func copyTextEscapesTheCharactersCopyGivesMeaningTo() {
        var buffer = ByteBuffer()
        BulkRowWriter.escapeCopyText("a\tb\\c\nd\re", into: &buffer)
        #expect(String(buffer: buffer) == #"a\tb\\c\nd\re"#)
    }

    @Test(arguments: TestSupport.engines)
    func aCachedSeriesIsRebuiltOnceItsBarsChange(engine: Database.Engine) async throws {
        try await DataServiceHarness.with(engine) { service, _, app in
            let orcl = try Self.series("ORCL", from: "orcl-1995-2014.csv", count: 2_520)
            try await service.bars.insertBulk(.init([("ORCL", Array(orcl.bars.prefix(2_000)))]))
            try await app.test(.router) { client in
                var tags: [String] = []
                for _ in 0..<2 {
                    try await client.execute(uri: "/api/v1/data/market/ORCL", method: .get, headers: [.accept: "text/csv"]) { response in
                        #expect(String(buffer: response.body).split(separator: "\n").count == 2_001)
                        #expect(response.headers[.cacheControl] == "private, max-age=30")
                        tags.append(response.headers[.eTag] ?? "")
                    }
                }
                #expect(tags[0] == tags[1] && !tags[0].isEmpty)
                // Written by the bus consumer's path (another replica could have done it): the version moves on.
                try await service.bars.database.transaction { sql in
                    _ = try await BarStore.store(symbol: "ORCL", bars: Array(orcl.bars.suffix(520)), overwrite: false, in: sql)
                }
                try await client.execute(uri: "/api/v1/data/market/ORCL", method: .get,
                                         headers: [.accept: "text/csv", .ifNoneMatch: tags[0]]) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).split(separator: "\n").count == 2_521)
                    #expect(response.headers[.eTag] != tags[0])
                }
            }
        }
    }
}
