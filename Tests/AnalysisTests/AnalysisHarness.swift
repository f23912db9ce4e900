import BourseTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Quant
import ServiceKit
import Testing
@testable import Analysis

/// The analysis service as `bourse serve analysis` builds it, with `data` stubbed on a real socket.
struct AnalysisHarness: Sendable {
    let client: any TestClientProtocol
    let service: AnalysisService
    let environment: ServiceEnvironment
    let data: MarketDataStub

    /// Hand-made statements of ORCL (two fiscal years), every figure chosen so ratios are easy to check by hand.
    static let statements: [[String: any Sendable]] = [
        ["statement": "income", "period": "annual", "period_end": "2013-05-31", "currency": "USD", "items": [
            "revenue": 1000.0, "cost_of_revenue": 400.0, "operating_income": 300.0, "depreciation_and_amortization": 50.0,
            "interest_expense": 20.0, "pretax_income": 280.0, "income_tax_expense": 70.0, "net_income": 210.0, "shares_outstanding": 100.0,
        ]],
        ["statement": "balance", "period": "annual", "period_end": "2013-05-31", "currency": "USD", "items": [
            "total_assets": 2000.0, "current_assets": 800.0, "inventory": 100.0, "current_liabilities": 400.0, "cash_and_equivalents": 300.0,
            "total_debt": 500.0, "shareholders_equity": 1000.0,
        ]],
        ["statement": "cashflow", "period": "annual", "period_end": "2013-05-31", "currency": "USD", "items": [
            "operating_cash_flow": 320.0, "capital_expenditure": -70.0, "dividends_paid": -60.0,
        ]],
        ["statement": "income", "period": "annual", "period_end": "2014-05-30", "currency": "USD", "items": [
            "revenue": 1100.0, "cost_of_revenue": 420.0, "operating_income": 350.0, "depreciation_and_amortization": 55.0,
            "interest_expense": 25.0, "pretax_income": 325.0, "income_tax_expense": 81.25, "net_income": 243.75, "shares_outstanding": 95.0,
        ]],
        ["statement": "balance", "period": "annual", "period_end": "2014-05-30", "currency": "USD", "items": [
            "total_assets": 2100.0, "current_assets": 900.0, "inventory": 110.0, "current_liabilities": 450.0, "cash_and_equivalents": 350.0,
            "total_debt": 600.0, "shareholders_equity": 975.0,
        ]],
        ["statement": "cashflow", "period": "annual", "period_end": "2014-05-30", "currency": "USD", "items": [
            "operating_cash_flow": 380.0, "capital_expenditure": -80.0, "dividends_paid": -66.5,
        ]],
    ]

    static func stub() -> MarketDataStub {
        MarketDataStub(series: PriceFiles.all, instruments: [
            "ORCL": .init(name: "Oracle", sector: "Technology"), "NVDA": .init(name: "NVIDIA", sector: "Technology"),
            "YHOO": .init(name: "Yahoo", sector: "Communication"),
        ], statements: ["ORCL": statements])
    }

    static func with(data: MarketDataStub = stub(), _ body: @escaping @Sendable (AnalysisHarness) async throws -> Void) async throws {
        try await data.application().test(.live) { upstream in
            let url = "http://127.0.0.1:\(try #require(upstream.port))"
            let databaseURL = try await TestSupport.databaseURL(.sqlite)
            let dataDir = TestSupport.temporaryDirectory()
            defer { Task { await BusStores.shared.close(url: nil, dataDir: dataDir) } }
            try await TestSupport.withService(AnalysisService.self, settings: ["database.url": databaseURL, "data.dir": dataDir]) { service, environment, app in
                environment.peers.caller.pool.upsert(.init(service: "data", id: "data-stub", url: url, version: "1"), lease: .seconds(600))
                try await app.test(.router) { client in
                    try await body(AnalysisHarness(client: client, service: service, environment: environment, data: data))
                }
            }
        }
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, as user: User? = .alice, json: String? = nil, accept: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = user?.headers ?? HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if let accept { headers[.accept] = accept }
        headers.append(contentsOf: extra)
        let uri = path.hasPrefix("/") ? path : "/api/v1/analysis/" + path
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            Reply(status: response.status, text: String(buffer: response.body), headers: response.headers)
        }
    }
}
