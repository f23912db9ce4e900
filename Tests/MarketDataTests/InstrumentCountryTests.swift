import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import MarketData
import ServiceKit

/// An instrument's optional `country` (ISO 3166-1 alpha-2), on SQLite and on PostgreSQL.
@Suite struct InstrumentCountryTests {
    func object(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    @Test(arguments: TestSupport.engines)
    func aCountryIsStoredUpperCasedAndAnUnassignedCodeIsRefused(engine: Database.Engine) async throws {
        try await DataServiceHarness.with(engine) { _, _, app in
            try await app.test(.router) { client in
                let sap = #"{"symbol":"SAP","name":"SAP SE","currency":"EUR","type":"equity","country":"de"}"#
                try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: sap)) { response in
                    #expect(response.status == .created)
                    #expect(object(response.body)["country"] as? String == "DE")
                }
                try await client.execute(uri: "/api/v1/data/instruments/SAP", method: .get) { response in
                    #expect(object(response.body)["country"] as? String == "DE")
                }
                let bad = #"{"symbol":"BAD","name":"Bad","currency":"USD","type":"equity","country":"XX"}"#
                try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: bad)) { response in
                    #expect(response.status == .unprocessableContent)
                    let fields = (object(response.body)["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                    #expect(fields == ["/country"])
                }
                let none = #"{"symbol":"NONE","name":"No country","currency":"USD","type":"equity"}"#
                try await client.execute(uri: "/api/v1/data/instruments", method: .post, body: ByteBuffer(string: none)) { #expect($0.status == .created) }
                try await client.execute(uri: "/api/v1/data/instruments/NONE", method: .get) { response in
                    #expect(object(response.body)["country"] == nil)
                }
            }
        }
    }
}
