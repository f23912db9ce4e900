import BourseTesting
import Foundation
import HTTPTypes
import Testing
import ServiceKit
@testable import Portfolio

/// CSV imports: every bad row refused with the whole file, fingerprints, dry runs, layouts and saved mappings.
@Suite struct ImportTests {
    static let header = "date,type,symbol,quantity,price,fee,amount,currency\n"
    static let good = "2024-01-02,DEPOSIT,CASH,0,0,0,1000,USD\n2024-01-03,BUY,AAA,10,10,0,-100,USD\n"

    @Test func everyKindOfBadRowIsRefusedWithItsLineAndNothingIsStored() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let bad: [(String, String, Int)] = [
                ("bad date", "2024-13-45,BUY,AAA,1,10,0,-10,USD\n", 4),
                ("unknown type", "2024-01-04,SWAP,AAA,1,10,0,-10,USD\n", 4),
                ("unreadable number", "2024-01-04,BUY,AAA,one,10,0,-10,USD\n", 4),
                ("negative price", "2024-01-04,BUY,AAA,1,-10,0,10,USD\n", 4),
                ("wrong field count", "2024-01-04,BUY,AAA,1,10\n", 4),
                ("amount not the cash effect", "2024-01-04,BUY,AAA,1,10,0,-11,USD\n", 4),
                ("sell more than held", "2024-01-04,SELL,AAA,11,10,0,110,USD\n", 4),
                ("future date", "2999-01-04,BUY,AAA,1,10,0,-10,USD\n", 4),
                ("unknown symbol", "2024-01-04,BUY,ZZZ,1,10,0,-10,USD\n", 4),
                ("unknown currency", "2024-01-04,BUY,AAA,1,10,0,-10,ABC\n", 4),
                ("unclosed quote", "2024-01-04,BUY,AAA,1,10,0,-10,\"USD\n", 4),
            ]
            for (kind, row, line) in bad {
                let reply = try await h.call(.post, "\(id)/import", csv: Self.header + Self.good + row)
                #expect(reply.status == .unprocessableContent, "\(kind): \(reply.status) \(reply.text)")
                #expect(reply.rowLines.contains(line), "\(kind): line \(line) not listed: \(reply.text)")
                #expect(!reply.errorFields.isEmpty, "\(kind)")
            }
            let noColumn = try await h.call(.post, "\(id)/import", csv: "date,type,symbol,price,amount\n2024-01-02,DEPOSIT,CASH,0,5\n")
            #expect(noColumn.status == .unprocessableContent && noColumn.rowLines == [1])
            // Two bad rows: both listed.
            let two = try await h.call(.post, "\(id)/import", csv: Self.header + Self.good + bad[0].1 + bad[1].1.replacingOccurrences(of: "01-04", with: "01-05"))
            #expect(Set(two.rowLines) == [4, 5])
            #expect(try await h.transactionCount(id) == 0)
            #expect(try await h.outboxCount() == 0)
        }
    }

    @Test(arguments: TestSupport.engines)
    func reimportingStoresNothingTwiceWhileIdenticalRowsInOneFileAreKept(engine: Database.Engine) async throws {
        try await PortfolioHarness.with(engine) { h in
            let id = try await h.createPortfolio()
            let file = Self.header + Self.good + "2024-01-03,BUY,AAA,10,10,0,-100,USD\n"
            let first = try await h.call(.post, "\(id)/import", csv: file)
            #expect(first.status == .ok && first.json["stored"] as? Int == 3 && first.json["duplicates"] as? Int == 0, "\(first.text)")
            let again = try await h.call(.post, "\(id)/import", csv: file)
            #expect(again.json["stored"] as? Int == 0 && again.json["duplicates"] as? Int == 3)
            #expect(try await h.transactionCount(id) == 3)
            // The same file with one more identical BUY: only the third occurrence is new.
            let more = try await h.call(.post, "\(id)/import", csv: file + "2024-01-03,BUY,AAA,10,10,0,-100,USD\n")
            #expect(more.json["stored"] as? Int == 1 && more.json["duplicates"] as? Int == 3)
            #expect(try await h.transactionCount(id) == 4)
            #expect(try await h.outboxCount() == 2)
        }
    }

    @Test func aDryRunAnswersWhatWouldBeStoredAndStoresNothing() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let reply = try await h.call(.post, "\(id)/import?dry_run=true", csv: HandLedger.csv)
            #expect(reply.status == .ok)
            #expect(reply.json["dry_run"] as? Bool == true && reply.json["stored"] as? Int == 5 && reply.array.count == 5)
            #expect(try await h.transactionCount(id) == 0)
            #expect(try await h.outboxCount() == 0)
        }
    }

    @Test func aGhostfolioExportImportsWithItsFeesAndInterestOnCash() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let ghostfolio = """
                Date,Code,Currency,Price,Quantity,Action,Fee,Note
                01-09-2021,MSFT,USD,298.58,5,buy,19.00,"first, of many"
                15/09/2021,MSFT,USD,0.62,5,dividend,0,
                20.10.2021,MSFT,USD,310,2,sell,1.50,
                20211101,MSFT,USD,0,0,fee,4.5,
                2021-12-01T00:00:00.000Z,USD,USD,1,7.25,interest,0,
                """
            let reply = try await h.call(.post, "\(id)/import", csv: ghostfolio)
            #expect(reply.status == .ok && reply.json["layout"] as? String == "ghostfolio" && reply.json["stored"] as? Int == 5, "\(reply.text)")
            let rows = try await h.call(.get, "\(id)/transactions").array
            #expect(rows.map { $0["type"] as? String } == ["BUY", "DIVIDEND", "SELL", "FEE", "INTEREST"])
            #expect(rows[3]["symbol"] as? String == "CASH" && rows[4]["symbol"] as? String == "CASH")
            #expect(rows[0]["note"] as? String == "first, of many")
            // A refused Ghostfolio row names the file's own column.
            let oversold = try await h.call(.post, "\(id)/import", csv: "Date,Code,Currency,Price,Quantity,Action,Fee\n2022-01-03,MSFT,USD,300,50,sell,0\n")
            #expect(oversold.status == .unprocessableContent)
            #expect((oversold.json["rows"] as? [[String: Any]])?.first?["column"] as? String == "Quantity", "\(oversold.text)")
            let unknown = try await h.call(.post, "\(id)/import", csv: "Date,Code,Currency,Price,Quantity,Action,Fee\n2022-01-03,ZZZ,USD,300,5,buy,0\n")
            #expect((unknown.json["rows"] as? [[String: Any]])?.first?["column"] as? String == "Code", "\(unknown.text)")
            let positions = try await h.call(.get, "\(id)/positions?date=2021-12-31")
            #expect(positions.status == .ok)
            let msft = (positions.json["positions"] as? [[String: Any]])?.first
            #expect(msft?["quantity"] as? Double == 3 && msft?["close"] as? Double == 330)
        }
    }

    @Test func aMappingReadsAnotherBrokersColumnsAndCanBeSaved() async throws {
        try await PortfolioHarness.with { h in
            let id = try await h.createPortfolio()
            let broker = "Trade Date,Action,Ticker,Shares,Unit Price,Commission,Net,Ccy\n2024-01-02,DEPOSIT,CASH,0,0,0,500,USD\n2024-01-03,BUY,AAA,5,10,1,-51,USD\n"
            let mapping = #"{"date":"Trade Date","type":"Action","symbol":"Ticker","quantity":"Shares","price":"Unit Price","fee":"Commission","amount":"Net","currency":"Ccy"}"#
            let query = mapping.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let once = try await h.call(.post, "\(id)/import?dry_run=true&mapping=\(query)", csv: broker)
            #expect(once.status == .ok && once.json["stored"] as? Int == 2 && once.json["layout"] as? String == "mapping", "\(once.text)")
            #expect(try await h.call(.put, "\(id)/mapping", json: mapping).status == .ok)
            #expect(try await h.call(.get, "\(id)/mapping").json["date"] as? String == "Trade Date")
            let saved = try await h.call(.post, "\(id)/import", csv: broker)
            #expect(saved.status == .ok && saved.json["stored"] as? Int == 2, "\(saved.text)")
            let badMapping = try await h.call(.put, "\(id)/mapping", json: #"{"date":"D","colour":"C"}"#)
            #expect(badMapping.status == .unprocessableContent && badMapping.errorFields.contains("/colour") && badMapping.errorFields.contains("/type"))
        }
    }
}
