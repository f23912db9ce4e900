import Foundation
import Quant
import Testing

@Suite("Rolling metrics and correlation")
struct RollingAndCorrelationTests {
    /// empyrical `roll_annual_volatility`, `roll_sharpe_ratio` (rf 0.0001) and `roll_beta`, window 63, ORCL vs
    /// YHOO over their common dates (Fixtures/metrics-rolling-orcl-yhoo-63.csv).
    @Test func rollingVolatilitySharpeAndBetaMatchEmpyricalOnOracleAgainstYahoo() throws {
        let text = try #require(String(data: try MetricsTestData.fixture("metrics-rolling-orcl-yhoo-63.csv"), encoding: .utf8))
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        let aligned = try MetricsTestData.alignedReturns("orcl-1995-2014.csv", benchmark: "yhoo-1996-2014.csv")
        let window = 63
        let volatility = try Metrics.rollingVolatility(aligned.returns, window: window)
        let sharpe = try Metrics.rollingSharpe(aligned.returns, window: window, riskFree: 0.0001)
        let beta = try Metrics.rollingBeta(aligned.returns, benchmark: aligned.benchmark, window: window)
        #expect(rows.count == aligned.returns.count - window + 1)
        #expect(volatility.count == rows.count && sharpe.count == rows.count && beta.count == rows.count)
        for (k, row) in rows.enumerated() where k < volatility.count {
            // Window k ends at return k + 62, which ends at price row k + 63.
            #expect(row[0] == aligned.dates[k + window])
            expectClose(volatility[k], Double(row[1]), "volatility[\(k)]")
            expectClose(sharpe[k], Double(row[2]), "sharpe[\(k)]")
            expectClose(beta[k], Double(row[3]), "beta[\(k)]")
        }
    }

    @Test func rollingMetricsEqualTheWholeSeriesMetricOnEachWindow() throws {
        var rng = SeededRandom(seed: 7)
        let r = rng.returns(500), b = rng.returns(500)
        let window = 20
        let volatility = try Metrics.rollingVolatility(r, window: window, periodsPerYear: 12)
        let sharpe = try Metrics.rollingSharpe(r, window: window, riskFree: 0.001, periodsPerYear: 12)
        let beta = try Metrics.rollingBeta(r, benchmark: b, window: window)
        for k in stride(from: 0, to: 481, by: 37) {
            let slice = Array(r[k..<(k + window)]), bench = Array(b[k..<(k + window)])
            expectClose(volatility[k], try Metrics.annualVolatility(slice, periodsPerYear: 12), "volatility[\(k)]")
            expectClose(sharpe[k], try Metrics.sharpeRatio(slice, riskFree: 0.001, periodsPerYear: 12), "sharpe[\(k)]")
            expectClose(beta[k], try Metrics.beta(slice, benchmark: bench), "beta[\(k)]")
        }
    }

    @Test func aConstantWindowHasZeroVolatilityAndNoSharpeOrBeta() throws {
        let r = [0.01, 0.02, 0.005, 0.005, 0.005, 0.005, -0.01]
        #expect(try Metrics.rollingVolatility(r, window: 4)[2] == 0)
        #expect(try Metrics.rollingSharpe(r, window: 4) .map { $0 == nil } == [false, false, true, false])
        #expect(try Metrics.rollingBeta(r, benchmark: r.reversed(), window: 4).map { $0 == nil } == [false, true, false, false])
    }

    @Test func aWindowLongerThanTheSeriesGivesNoValuesAndAWindowBelowTwoIsRejected() throws {
        #expect(try Metrics.rollingVolatility([0.01, 0.02], window: 3).isEmpty)
        #expect(throws: QuantError.invalidParameter("window", 1, "must be at least 2")) {
            try Metrics.rollingSharpe([0.01, 0.02], window: 1)
        }
        #expect(throws: QuantError.lengthMismatch("benchmark", 1, "returns", 2)) {
            try Metrics.rollingBeta([0.01, 0.02], benchmark: [0.01], window: 2)
        }
    }

    /// numpy `corrcoef` of ORCL, YHOO and NVDA returns over the dates all three share (Fixtures/metrics-correlation.json).
    @Test func correlationMatrixMatchesNumpyOnTheThreePriceFiles() throws {
        struct Reference: Decodable { let files: [String]; let count: Int; let matrix: [[Double]] }
        let reference = try JSONDecoder().decode(Reference.self, from: try MetricsTestData.fixture("metrics-correlation.json"))
        let tables = try reference.files.map { file in
            try PriceTable.parse(try IndicatorTestData.sharedText("prices", file), source: file)
        }
        let common = tables.dropFirst().reduce(Set(tables[0].dates)) { $0.intersection($1.dates) }
        let series = try tables.map { table in
            let close = try table.column("Close")
            let prices = table.dates.indices.filter { common.contains(table.dates[$0]) }.map { close[$0] }
            return try Metrics.simpleReturns(prices: prices)
        }
        #expect(series.map(\.count) == [reference.count, reference.count, reference.count])
        let matrix = try Metrics.correlationMatrix(series)
        for i in 0..<3 {
            for j in 0..<3 { expectClose(matrix[i][j], reference.matrix[i][j], relative: 1e-12, "corr[\(i)][\(j)]") }
        }
    }

    @Test func correlationIsOneWithAPositiveMultipleMinusOneWithANegativeAndNilWithAConstant() throws {
        let a = [0.01, -0.02, 0.03, 0.0]
        let matrix = try Metrics.correlationMatrix([a, a.map { $0 * 3 }, a.map { -$0 }, [0.1, 0.1, 0.1, 0.1]])
        expectClose(matrix[0][1], 1, relative: 1e-15, "corr with 3x")
        expectClose(matrix[0][2], -1, relative: 1e-15, "corr with -x")
        #expect(matrix[3] == [nil, nil, nil, nil])
        #expect(matrix[0][3] == nil)
        #expect(throws: QuantError.lengthMismatch("series[1]", 2, "series[0]", 4)) { try Metrics.correlationMatrix([a, [0.1, 0.2]]) }
        #expect(throws: QuantError.empty("series")) { try Metrics.correlationMatrix([]) }
    }
}
