import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import MarketData
import ServiceKit

/// The `data` service's instrument routes, on SQLite and on PostgreSQL.
@Suite struct InstrumentRoutesTests {
    func object(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    func withDataService(_ engine: Database.Engine, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await DataServiceHarness.with(engine) { _, _, app in
            try await app.test(.router) { client in try await body(client) }
        }
    }

    static let orcl = #"{"symbol":"orcl","name":"Oracle Corporation","exchange":"NYSE","currency":"usd","type":"equity","sector":"Technology"}"#

    @Test(arguments: TestSupport.engines)
    func createdInstrumentIsListedAndReadable(engine: Database.Engine) async throws {
        try await withDataService(engine) { client in
            try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: Self.orcl)) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/api/v1/data/instruments/ORCL")
                #expect(object(response.body)["symbol"] as? String == "ORCL")
                #expect(object(response.body)["currency"] as? String == "USD")
            }
            try await client.execute(uri: "/api/v1/data/instruments/orcl", method: .get) { response in
                #expect(response.status == .ok)
                #expect(object(response.body)["name"] as? String == "Oracle Corporation")
                #expect(object(response.body)["sector"] as? String == "Technology")
            }
            try await client.execute(uri: "/api/v1/data/instruments", method: .get) { response in
                let body = object(response.body)
                #expect(body["total"] as? Int == 1)
                #expect((body["items"] as? [[String: Any]])?.first?["symbol"] as? String == "ORCL")
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func duplicateSymbolIsA409AndChangesNothing(engine: Database.Engine) async throws {
        try await withDataService(engine) { client in
            try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: Self.orcl)) { #expect($0.status == .created) }
            let renamed = Self.orcl.replacingOccurrences(of: "Oracle Corporation", with: "Changed")
            try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: renamed)) { response in
                #expect(response.status == .conflict)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/api/v1/data/instruments/ORCL", method: .get) { response in
                #expect(object(response.body)["name"] as? String == "Oracle Corporation")
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func invalidInstrumentIs422ListingEveryFieldAndStoresNothing(engine: Database.Engine) async throws {
        try await withDataService(engine) { client in
            let bad = #"{"symbol":"not a symbol!","name":"","currency":"dollars","type":"equity"}"#
            try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .unprocessableContent)
                let fields = (object(response.body)["errors"] as? [[String: String]] ?? []).compactMap { $0["field"] }
                #expect(Set(fields) == ["/symbol", "/name", "/currency"])
            }
            let wrongType = #"{"symbol":"X","name":"X","currency":"USD","type":"spaceship"}"#
            try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: wrongType)) { response in
                #expect(response.status == .badRequest)
                #expect((object(response.body)["detail"] as? String)?.contains("/type") == true)
            }
            try await client.execute(uri: "/api/v1/data/instruments", method: .get) { response in
                #expect(object(response.body)["total"] as? Int == 0)
            }
        }
    }

    @Test(arguments: TestSupport.engines)
    func searchFilterAndPaging(engine: Database.Engine) async throws {
        try await withDataService(engine) { client in
            let instruments = [
                #"{"symbol":"ORCL","name":"Oracle","currency":"USD","type":"equity","exchange":"NYSE"}"#,
                #"{"symbol":"NVDA","name":"NVIDIA","currency":"USD","type":"equity","exchange":"NASDAQ"}"#,
                #"{"symbol":"SPY","name":"SPDR S&P 500 100% ETF","currency":"USD","type":"etf","exchange":"NYSE"}"#,
            ]
            for json in instruments {
                try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: json)) { #expect($0.status == .created) }
            }
            func symbols(_ query: String) async throws -> [String] {
                try await client.execute(uri: "/api/v1/data/instruments?\(query)", method: .get) { response in
                    #expect(response.status == .ok)
                    return (object(response.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["symbol"] as? String }
                }
            }
            #expect(try await symbols("") == ["NVDA", "ORCL", "SPY"])
            #expect(try await symbols("q=oRa") == ["ORCL"])
            #expect(try await symbols("q=100%25") == ["SPY"])
            #expect(try await symbols("q=_") == [])
            #expect(try await symbols("type=etf") == ["SPY"])
            #expect(try await symbols("exchange=NYSE&type=equity") == ["ORCL"])
            #expect(try await symbols("limit=2&offset=1") == ["ORCL", "SPY"])
            try await client.execute(uri: "/api/v1/data/instruments?limit=5000&type=bogus", method: .get) { response in
                #expect(response.status == .badRequest)
                let fields = (object(response.body)["errors"] as? [[String: String]] ?? []).compactMap { $0["field"] }
                #expect(Set(fields) == ["limit", "type"])
            }
        }
    }

    @Test func unknownSymbolIs404Problem() async throws {
        try await withDataService(.sqlite) { client in
            try await client.execute(uri: "/api/v1/data/instruments/NOPE", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }
}
