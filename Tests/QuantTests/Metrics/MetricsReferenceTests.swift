import Foundation
import Quant
import Testing

/// Every metric against empyrical-reloaded 0.7.1 (and numpy/scipy where empyrical has no function), numbers
/// produced by scripts/reference/metrics_reference.py into Tests/QuantTests/Fixtures/metrics-reference.json.
@Suite("Metrics reference (empyrical)")
struct MetricsReferenceTests {
    struct Reference: Decodable {
        let series: [Series]
        let pairs: [Pair]
    }

    struct Series: Decodable {
        let name: String
        let returns: [Double]?
        let file: String?
        let count: Int?
        let periodsPerYear: Double
        let riskFree: Double
        let metrics: Values
    }

    struct Values: Decodable {
        let cumulativeReturn, annualReturn: Double
        let annualVolatility, sharpe, sortino, calmar, omega: Double?
        let downsideRisk, maxDrawdown: Double
        let drawdown: Episode?
        let var95, cvar95, var99, cvar99: Double
        let parametricVar95, parametricVar99: Double?
    }

    struct Episode: Decodable {
        let peak, trough: Int
        let recovery: Int?
    }

    struct Pair: Decodable {
        let name: String
        let returns: [Double]?
        let benchmark: [Double]?
        let file: String?
        let benchmarkFile: String?
        let count: Int?
        let firstDate: String?
        let periodsPerYear: Double
        let riskFree: Double
        let alpha, beta: Double?
    }

    /// Cases of the fixture, listed here so that test discovery does not read files; a test that reads the
    /// fixture fails (it does not skip) when the file or a case is missing.
    static let seriesNames = ["hand", "hand-monthly-rf", "orcl-1995-2014.csv", "yhoo-1996-2014.csv", "nvda-1999-2014.csv"]
    static let pairNames = ["hand", "yhoo-1996-2014.csv vs orcl-1995-2014.csv", "nvda-1999-2014.csv vs orcl-1995-2014.csv"]

    static func reference() throws -> Reference {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Reference.self, from: MetricsTestData.fixture("metrics-reference.json"))
    }

    static func series(_ name: String) throws -> Series {
        try #require(try reference().series.first { $0.name == name })
    }

    static func returns(of series: Series) throws -> [Double] {
        if let returns = series.returns { return returns }
        return try MetricsTestData.closeReturns(series.file!).returns
    }

    @Test func fixtureCoversTheHandSeriesAndAllThreePriceFiles() throws {
        let reference = try Self.reference()
        #expect(reference.series.map(\.name) == Self.seriesNames)
        #expect(reference.pairs.map(\.name) == Self.pairNames)
    }

    @Test(arguments: seriesNames)
    func reportMatchesEmpyrical(name: String) throws {
        let series = try Self.series(name)
        let r = try Self.returns(of: series)
        if let count = series.count { #expect(r.count == count) }
        let m = series.metrics
        for (level, historical, shortfall, parametric) in [(0.95, m.var95, m.cvar95, m.parametricVar95), (0.99, m.var99, m.cvar99, m.parametricVar99)] {
            let report = try PerformanceReport(returns: r, periodsPerYear: series.periodsPerYear, riskFree: series.riskFree, level: level)
            expectClose(report.cumulativeReturn, m.cumulativeReturn, "\(name) cumulative_return")
            expectClose(report.annualReturn, m.annualReturn, "\(name) annual_return")
            expectClose(report.annualVolatility, m.annualVolatility, "\(name) annual_volatility")
            expectClose(report.sharpe, m.sharpe, "\(name) sharpe")
            expectClose(report.sortino, m.sortino, "\(name) sortino")
            expectClose(report.downsideRisk, m.downsideRisk, "\(name) downside_risk")
            expectClose(report.calmar, m.calmar, "\(name) calmar")
            expectClose(report.omega, m.omega, "\(name) omega")
            expectClose(report.maxDrawdown.depth, m.maxDrawdown, "\(name) max_drawdown")
            #expect(report.maxDrawdown.episode?.peak == m.drawdown?.peak)
            #expect(report.maxDrawdown.episode?.trough == m.drawdown?.trough)
            #expect(report.maxDrawdown.episode?.recovery == m.drawdown?.recovery)
            expectClose(report.tailRisk.valueAtRisk, historical, "\(name) var \(level)")
            expectClose(report.tailRisk.conditionalValueAtRisk, shortfall, "\(name) cvar \(level)")
            expectClose(report.parametricValueAtRisk, parametric, "\(name) parametric var \(level)")
        }
    }

    @Test(arguments: seriesNames)
    func standaloneFunctionsMatchEmpyrical(name: String) throws {
        let series = try Self.series(name)
        let r = try Self.returns(of: series)
        let m = series.metrics, p = series.periodsPerYear, rf = series.riskFree
        expectClose(try Metrics.cumulativeReturn(r), m.cumulativeReturn, "\(name) cumulative_return")
        expectClose(try Metrics.annualReturn(r, periodsPerYear: p), m.annualReturn, "\(name) annual_return")
        expectClose(try Metrics.annualVolatility(r, periodsPerYear: p), m.annualVolatility, "\(name) annual_volatility")
        expectClose(try Metrics.sharpeRatio(r, riskFree: rf, periodsPerYear: p), m.sharpe, "\(name) sharpe")
        expectClose(try Metrics.sortinoRatio(r, riskFree: rf, periodsPerYear: p), m.sortino, "\(name) sortino")
        expectClose(try Metrics.downsideRisk(r, requiredReturn: rf, periodsPerYear: p), m.downsideRisk, "\(name) downside_risk")
        expectClose(try Metrics.calmarRatio(r, periodsPerYear: p), m.calmar, "\(name) calmar")
        expectClose(try Metrics.omegaRatio(r, riskFree: rf, requiredReturn: 0, periodsPerYear: p), m.omega, "\(name) omega")
        expectClose(try Metrics.maxDrawdown(r).depth, m.maxDrawdown, "\(name) max_drawdown")
        expectClose(try Metrics.valueAtRisk(r, level: 0.95), m.var95, "\(name) var_95")
        expectClose(try Metrics.conditionalValueAtRisk(r, level: 0.99), m.cvar99, "\(name) cvar_99")
        expectClose(try Metrics.parametricValueAtRisk(r, level: 0.99), m.parametricVar99, "\(name) parametric_var_99")
    }

    @Test(arguments: pairNames)
    func betaAndAlphaMatchEmpyricalAfterAligningByDate(name: String) throws {
        let pair = try #require(try Self.reference().pairs.first { $0.name == name })
        var returns: [Double], benchmark: [Double]
        if let file = pair.file, let benchmarkFile = pair.benchmarkFile {
            let aligned = try MetricsTestData.alignedReturns(file, benchmark: benchmarkFile)
            returns = aligned.returns
            benchmark = aligned.benchmark
            #expect(aligned.dates.first == pair.firstDate)
        } else {
            returns = try #require(pair.returns)
            benchmark = try #require(pair.benchmark)
        }
        if let count = pair.count { #expect(returns.count == count) }
        let exposure = try Metrics.benchmarkExposure(returns, benchmark: benchmark, riskFree: pair.riskFree, periodsPerYear: pair.periodsPerYear)
        expectClose(exposure.beta, pair.beta, "\(name) beta")
        expectClose(exposure.alpha, pair.alpha, "\(name) alpha")
        let report = try PerformanceReport(returns: returns, benchmark: benchmark, periodsPerYear: pair.periodsPerYear, riskFree: pair.riskFree)
        #expect(report.benchmark == exposure)
    }

    @Test func handSeriesValuesAreTheOnesWorkedOutInTheDocs() throws {
        // Sorted: -0.03, -0.02, -0.01, -0.005, 0, 0.005, 0.01, 0.015, 0.02, 0.03. Position (10-1)*0.05 = 0.45
        // lies between -0.03 and -0.02: VaR = -0.03 + 0.45*0.01 = -0.0255; CVaR = mean of the 1 smallest.
        let r = [0.01, -0.02, 0.03, -0.01, 0.02, 0.0, -0.03, 0.015, 0.005, -0.005]
        expectClose(try Metrics.valueAtRisk(r, level: 0.95), -0.0255, relative: 1e-12, "hand VaR")
        expectClose(try Metrics.conditionalValueAtRisk(r, level: 0.95), -0.03, relative: 1e-12, "hand CVaR")
        // Wealth peaks after return 5 (1.0295...), stays there through the 0 return (point 6), falls 3%.
        let drawdown = try Metrics.maxDrawdown(r)
        expectClose(drawdown.depth, -0.03, relative: 1e-12, "hand drawdown")
        #expect(drawdown.episode == Drawdown.Episode(peak: 6, trough: 7, recovery: nil, length: 4))
    }
}
