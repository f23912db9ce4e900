import BourseTesting
import Foundation
import HTTPTypes
import Testing
import ServiceKit
@testable import Portfolio

/// Portfolios and their ledgers: CRUD, ownership, all-or-nothing writes, the whole-ledger rule, exact decimals.
@Suite struct LedgerRoutesTests {
    @Test(arguments: TestSupport.engines)
    func portfoliosAreCreatedListedRenamedAndDeleted(engine: Database.Engine) async throws {
        try await PortfolioHarness.with(engine) { h in
            let id = try await h.createPortfolio("Retirement", currency: "eur")
            let got = try await h.call(.get, id)
            #expect(got.status == .ok)
            #expect(got.json["base_currency"] as? String == "EUR")
            #expect(got.json["owner"] as? String == User.alice.id)
            #expect(try await h.call(.get, "/api/v1/portfolio/portfolios").array.map { $0["id"] as? String } == [id])
            let renamed = try await h.call(.patch, id, json: #"{"name":"Pension"}"#)
            #expect(renamed.status == .ok && renamed.json["name"] as? String == "Pension")
            let badCurrency = try await h.call(.patch, id, json: #"{"base_currency":"XYZ"}"#)
            #expect(badCurrency.status == .unprocessableContent && badCurrency.errorFields == ["/base_currency"])
            #expect(try await h.call(.delete, id).status == .noContent)
            #expect(try await h.call(.get, id).status == .notFound)
        }
    }

    @Test func anotherUsersPortfolioIsA404OnEveryRouteAndAdminsMayOnlyReadIt() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let created = try await h.call(.post, "\(id)/transactions", json: #"{"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":100}"#)
            let tx = try #require(created.array.first?["id"] as? String)
            var checked = 0
            for endpoint in PortfolioContract.all where endpoint.path.contains("{id}") {
                let path = endpoint.path.replacingOccurrences(of: "{id}", with: id).replacingOccurrences(of: "{tx}", with: tx)
                let isCSV = endpoint.body?.content.first?.mediaType == "text/csv"
                let body = endpoint.body == nil ? nil : "{}"
                let reply = try await h.call(endpoint.method, path, as: .bob, json: isCSV ? nil : body, csv: isCSV ? HandLedger.csv : nil)
                #expect(reply.status == .notFound, "\(endpoint.method) \(endpoint.path) answered \(reply.status) to another user")
                checked += 1
            }
            #expect(checked >= 20)
            #expect(try await h.call(.get, "/api/v1/portfolio/portfolios", as: .bob).array.isEmpty)
            #expect(try await h.call(.get, id, as: .admin).status == .ok)
            #expect(try await h.call(.get, "\(id)/transactions", as: .admin).json["total"] as? Int == 1)
            #expect(try await h.call(.patch, id, as: .admin, json: #"{"name":"x"}"#).status == .notFound)
            #expect(try await h.call(.delete, id, as: .bob).status == .notFound)
            #expect(try await h.call(.get, id).status == .ok)
            #expect(try await h.call(.get, id, as: nil).status == .unauthorized)
        }
    }

    @Test(arguments: TestSupport.engines)
    func anArrayWithOneBadRowStoresNothingAndNamesItsIndexAndField(engine: Database.Engine) async throws {
        try await PortfolioHarness.with(engine) { h in
            let id = try await h.createPortfolio()
            let oversell = """
                [{"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":1000},
                 {"date":"2024-01-03","type":"BUY","symbol":"AAA","quantity":10,"price":10},
                 {"date":"2024-01-04","type":"SELL","symbol":"AAA","quantity":11,"price":12}]
                """
            let refused = try await h.call(.post, "\(id)/transactions", json: oversell)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorFields == ["/2/quantity"])
            #expect(try await h.transactionCount(id) == 0)
            #expect(try await h.outboxCount() == 0)

            let malformed = """
                [{"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":1000},
                 {"date":"2024-01-03","type":"BUY","symbol":"AAA","quantity":10,"price":-1},
                 {"date":"2024-01-03","type":"SWAP","symbol":"AAA","quantity":1,"price":1},
                 {"date":"2999-01-01","type":"BUY","symbol":"AAA","quantity":1,"price":1},
                 {"date":"2024-01-03","type":"BUY","symbol":"AAA","quantity":1,"price":1,"currency":"ABC"},
                 {"date":"2024-01-03","type":"BUY","symbol":"ZZZ","quantity":1,"price":1}]
                """
            let second = try await h.call(.post, "\(id)/transactions", json: malformed)
            #expect(second.status == .unprocessableContent)
            #expect(Set(second.errorFields).isSuperset(of: ["/2/type", "/4/currency"]), "\(second.text)")
            // Row-level checks come once the fields parse: negative price, future date, unknown symbol.
            let third = try await h.call(.post, "\(id)/transactions", json: """
                [{"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":1000},
                 {"date":"2024-01-03","type":"BUY","symbol":"AAA","quantity":10,"price":-1},
                 {"date":"2999-01-01","type":"BUY","symbol":"AAA","quantity":1,"price":1}]
                """)
            #expect(third.status == .unprocessableContent)
            #expect(Set(third.errorFields) == ["/1/price", "/2/date"], "\(third.text)")
            let unknown = try await h.call(.post, "\(id)/transactions", json: #"{"date":"2024-01-03","type":"BUY","symbol":"ZZZ","quantity":1,"price":1}"#)
            #expect(unknown.status == .unprocessableContent && unknown.errorFields == ["/symbol"])
            #expect(try await h.transactionCount(id) == 0)

            let good = try await h.call(.post, "\(id)/transactions", json: oversell.replacingOccurrences(of: #""quantity":11"#, with: #""quantity":4"#))
            #expect(good.status == .created && good.json["count"] as? Int == 3)
            #expect(try await h.transactionCount(id) == 3)
            #expect(try await h.outboxCount() == 1)
        }
    }

    @Test func changesThatBreakALaterRowAreRefusedAndNothingChanges() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let rows = try await h.call(.post, "\(id)/transactions", json: """
                [{"date":"2024-01-03","type":"BUY","symbol":"AAA","quantity":10,"price":10},
                 {"date":"2024-01-04","type":"SELL","symbol":"AAA","quantity":10,"price":12}]
                """).array
            let buy = try #require(rows.first?["id"] as? String)
            let deleted = try await h.call(.delete, "\(id)/transactions/\(buy)")
            #expect(deleted.status == .unprocessableContent)
            #expect(deleted.errorFields.first?.hasSuffix("/quantity") == true)
            let shrunk = try await h.call(.patch, "\(id)/transactions/\(buy)", json: #"{"quantity":"5"}"#)
            #expect(shrunk.status == .unprocessableContent)
            #expect(try await h.transactionCount(id) == 2)
            let grown = try await h.call(.patch, "\(id)/transactions/\(buy)", json: #"{"quantity":"12.5","note":"topped up"}"#)
            #expect(grown.status == .ok && grown.json["note"] as? String == "topped up")
            #expect(try await h.call(.get, "\(id)/transactions?type=BUY").array.first?["quantity"] as? Double == 12.5)
        }
    }

    @Test func decimalsTravelExactlyAndTheLedgerExportsAsBourseCSV() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let body = #"[{"date":"2024-01-02","type":"DEPOSIT","symbol":"CASH","amount":"1000.10"},{"date":"2024-01-03","type":"BUY","symbol":"aaa","quantity":0.1,"price":"123456789.123456789","fee":0.2}]"#
            #expect(try await h.call(.post, "\(id)/transactions", json: body).status == .created)
            let list = try await h.call(.get, "\(id)/transactions?symbol=AAA")
            #expect(list.text.contains(#""price":123456789.123456789"#), "\(list.text)")
            #expect(list.text.contains(#""quantity":0.1"#) && list.text.contains(#""fee":0.2"#))
            let csv = try await h.call(.get, "\(id)/transactions", accept: "text/csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text == "date,type,symbol,quantity,price,fee,amount,currency\n2024-01-02,DEPOSIT,CASH,0,0,0,1000.1,USD\n"
                + "2024-01-03,BUY,AAA,0.1,123456789.123456789,0.2,-12345679.1123456789,USD\n")
            let paged = try await h.call(.get, "\(id)/transactions?limit=1&offset=1")
            #expect(paged.json["total"] as? Int == 2 && paged.array.count == 1 && paged.array.first?["type"] as? String == "BUY")
        }
    }
    @Test func viewersMayReadButNotWriteTheirPortfolios() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio(as: .alice)
            #expect(try await h.call(.post, "/api/v1/portfolio/portfolios", as: .viewer, json: #"{"name":"x"}"#).status == .forbidden)
            #expect(try await h.call(.get, "/api/v1/portfolio/portfolios", as: .viewer).status == .ok)
            #expect(try await h.call(.post, "\(id)/transactions", as: .viewer, json: "{}").status == .forbidden)
        }
    }

    @Test func anEmptyPortfolioAnswersEveryAnalyticWithZeros() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            for path in ["positions", "lots", "performance", "allocation?by=sector", "xray"] {
                let reply = try await h.call(.get, "\(id)/\(path)")
                #expect(reply.status == .ok, "\(path): \(reply.status) \(reply.text)")
            }
            #expect(try await h.call(.get, "\(id)/positions").json["value"] as? Double == 0)
        }
    }
}
