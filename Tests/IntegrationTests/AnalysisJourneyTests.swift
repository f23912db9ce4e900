import AsyncHTTPClient
import BourseTesting
import Foundation
import Quant
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The analysis service through the real binary and the gateway: instruments with sectors, the three real price
/// files through `etl`, hand-made statements in `data`; a user gets indicators (equal to `bourse quant indicators`),
/// metrics, ratios, a company analysis, a screen, a comparison and a chart; new ORCL bars arriving through `etl`
/// reach the cached indicators (data.bars.stored invalidates them).
@Suite(.serialized) struct AnalysisJourneyTests {
    @Test func aUserAnalysesTheRealPriceFiles() async throws {
        let platform = try await RunningPlatform.start()
        defer { platform.stop() }
        let (session, token) = (platform.session, platform.token)

        for (symbol, name, sector) in [("ORCL", "Oracle", "Technology"), ("NVDA", "NVIDIA", "Technology"), ("YHOO", "Yahoo", "Communication")] {
            let made = try await session.send(.POST, "/api/v1/data/instruments", token: token, body: #"""
                {"symbol":"\#(symbol)","name":"\#(name)","currency":"USD","type":"equity","sector":"\#(sector)"}
                """#)
            #expect(made.status == 201, "\(made.body)")
        }
        let orclFirstHalf = try PriceFiles.bars("ORCL", to: "2014-06-30")
        for (symbol, file) in PriceFiles.files.sorted(by: { $0.key < $1.key }) {
            var csv = try String(contentsOf: PriceFiles.directory.appendingPathComponent(file), encoding: .utf8)
            if symbol == "ORCL" {
                let lines = csv.split(whereSeparator: \.isNewline)
                csv = ([lines[0]] + lines.dropFirst().filter { $0.prefix(10) <= "2014-06-30" }).joined(separator: "\n") + "\n"
            }
            let (status, body) = try await PipelineTests().upload(session, token: token, symbol: symbol, csv: csv)
            #expect(status == 202, "\(symbol): \(body)")
        }
        for symbol in ["ORCL", "NVDA", "YHOO"] {
            let expected = symbol == "ORCL" ? orclFirstHalf.count : try PriceFiles.bars(symbol).count
            let arrived = await TestSupport.eventually(.seconds(120)) {
                guard let (code, csv) = try? await PipelineTests().csv(session, token: token, "/api/v1/data/market/\(symbol)?from=1900-01-01"), code == 200
                else { return false }
                return PipelineTests.rows(csv).count >= expected
            }
            try #require(arrived, "\(symbol) bars did not arrive")
        }
        let statements = #"""
            [{"statement":"income","period":"annual","period_end":"2014-05-30","currency":"USD","items":{"revenue":1100,"cost_of_revenue":420,
              "operating_income":350,"pretax_income":325,"income_tax_expense":81.25,"net_income":243.75,"shares_outstanding":95}},
             {"statement":"balance","period":"annual","period_end":"2014-05-30","currency":"USD","items":{"total_assets":2100,"shareholders_equity":975,
              "total_debt":600,"cash_and_equivalents":350}}]
            """#
        #expect(try await session.send(.PUT, "/api/v1/data/fundamentals/ORCL", token: token, body: statements).status == 200)

        // Indicators: the CSV equals `bourse quant indicators` over the same bars, row by row.
        let csv = try await session.send(.GET, "/api/v1/analysis/indicators/ORCL?names=sma:20,ema:20,rsi:14,macd:12:26:9,bbands:20:2,atr:14,stoch:14:3:3,adx:14,obv&from=2010-01-04",
                                         token: token, accept: "text/csv")
        #expect(csv.status == 200, "\(csv.body.prefix(300))")
        let table = try IndicatorTable(bars: orclFirstHalf).csv().split(separator: "\n")
        let expected = [table[0]] + table.dropFirst().filter { $0.prefix(10) >= "2010-01-04" }
        #expect(csv.body.split(separator: "\n") == expected)

        let metrics = try await session.send(.GET, "/api/v1/analysis/metrics/NVDA?from=2010-01-04&benchmark=ORCL", token: token)
        #expect(metrics.status == 200 && metrics.json()["beta"] is Double, "\(metrics.body)")
        let ratios = try await session.send(.GET, "/api/v1/analysis/ratios/ORCL", token: token)
        let roe = ((ratios.json()["periods"] as? [[String: Any]])?.first?["ratios"] as? [String: Any])?["roe"] as? Double
        #expect(roe == 0.25, "\(ratios.body)")
        let company = try await session.send(.GET, "/api/v1/analysis/companies/ORCL", token: token)
        #expect(company.status == 200 && company.body.contains("dupont"), "\(company.body.prefix(300))")
        let screen = try await session.send(.POST, "/api/v1/analysis/screen", token: token,
                                            body: #"{"expression":"close > 0 and roe > 0.2","values":["close"]}"#)
        #expect(((screen.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["symbol"] as? String } == ["ORCL"], "\(screen.body)")
        let compare = try await session.send(.GET, "/api/v1/analysis/sectors/Technology?from=2010-01-04", token: token)
        #expect(Set((compare.json()["symbols"] as? [String]) ?? []) == ["ORCL", "NVDA"], "\(compare.body.prefix(300))")
        let chart = try await session.send(.GET, "/api/v1/analysis/charts/ORCL.svg?from=2013-01-01&overlays=sma:50,sma:200&panes=volume,rsi:14", token: token)
        #expect(chart.status == 200 && chart.body.contains("<svg") && chart.body.contains("class=\"candle"), "\(chart.body.prefix(200))")

        // New ORCL bars through etl: the cached indicators follow.
        let whole = try String(contentsOf: PriceFiles.directory.appendingPathComponent(PriceFiles.files["ORCL"]!), encoding: .utf8)
        let (status, body) = try await PipelineTests().upload(session, token: token, symbol: "ORCL", csv: whole)
        #expect(status == 202, "\(body)")
        let followed = await TestSupport.eventually(.seconds(120)) {
            let reply = try? await session.send(.GET, "/api/v1/analysis/indicators/ORCL?names=sma:20&from=2014-12-01", token: token)
            return (reply?.json()["dates"] as? [String])?.last == "2014-12-31"
        }
        #expect(followed, "the analysis cache did not follow the new bars")
    }
}
