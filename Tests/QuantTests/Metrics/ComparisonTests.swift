import Foundation
import Quant
import Testing

@Suite("Comparison")
struct ComparisonTests {
    @Test func percentileRanksMatchScipysAverageRankRescaledToZeroOne() throws {
        // Reference from python3 + scipy 1.17.1:
        //   r = scipy.stats.rankdata([5, 2, 2, 7, 5, 5, 1, 9], method="average")  → [5, 2.5, 2.5, 7, 5, 5, 1, 8]
        //   (r - 1) / (8 - 1)  → [0.5714285714285714, 0.21428571428571427, …, 0.0, 1.0]
        // nil and NaN are left out of the ranking and rank nil.
        let values: [Double?] = [5, 2, nil, 2, 7, .nan, 5, 5, 1, nil, 9]
        let expected: [Double?] = [
            0.5714285714285714, 0.21428571428571427, nil, 0.21428571428571427, 0.8571428571428571, nil, 0.5714285714285714,
            0.5714285714285714, 0.0, nil, 1.0,
        ]
        let ranks = Comparison.percentileRanks(values)
        #expect(ranks.count == expected.count)
        for (k, (rank, e)) in zip(ranks, expected).enumerated() {
            if let e {
                let r = try #require(rank, "rank \(k)")
                #expect(abs(r - e) <= 1e-15, "rank \(k): \(r) vs \(e)")
            } else {
                #expect(rank == nil, "rank \(k)")
            }
        }
    }

    @Test func percentileRanksMatchAPlainCountOnRandomValuesWithTiesAndNils() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let n = Int(rng.next() % 30)
            // Few distinct values, so ties are common; about one in five is nil.
            let values: [Double?] = (0..<n).map { _ in rng.next() % 5 == 0 ? nil : Double(rng.next() % 7) - 3 }
            let ranks = Comparison.percentileRanks(values)
            let present = values.compactMap { $0 }
            for (k, value) in values.enumerated() {
                guard let value, present.count >= 2 else {
                    #expect(ranks[k] == nil)
                    continue
                }
                // Other values strictly below, plus half of the other values equal, over the number of others.
                var below = 0.0, ties = -1.0  // the value itself is not another value
                for other in present {
                    if other < value { below += 1 }
                    if other == value { ties += 1 }
                }
                let plain = (below + ties / 2) / Double(present.count - 1)
                #expect(ranks[k] == plain, "\(values) at \(k)")
            }
        }
    }

    @Test func aLoneValueAndAllEqualValues() {
        #expect(Comparison.percentileRanks([]) == [])
        #expect(Comparison.percentileRanks([nil, 3, nil]) == [nil, nil, nil])
        #expect(Comparison.percentileRanks([4, 4, 4]) == [0.5, 0.5, 0.5])
        #expect(Comparison.percentileRanks([1, .infinity, 2]) == [0, nil, 1])
    }

    @Test func rebasedKeepsTheCommonDatesInTheFirstSeriesOrderAndStartsAt100() throws {
        let result = try Comparison.rebased([
            (name: "A", dates: ["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"], values: [10, 20, 25, 30, 40]),
            (name: "B", dates: ["2020-01-02", "2020-01-03", "2020-01-05", "2020-01-07", "2020-01-08"], values: [50, 40, 45, 60, 70]),
            (name: "C", dates: ["2020-01-07", "2020-01-03", "2020-01-02", "2020-01-01"], values: [8, 5, 4, 1]),
        ])
        // Dates all three hold: 01-02, 01-03, 01-07 (A's 01-06 is missing from B and C; B's 01-05 from A).
        #expect(result.dates == ["2020-01-02", "2020-01-03", "2020-01-07"])
        #expect(result.series.map(\.name) == ["A", "B", "C"])
        // A: 20, 25, 40 over 20; B: 50, 40, 60 over 50; C (given newest first): 4, 5, 8 over 4.
        #expect(result.series[0].values == [100, 125, 200])
        #expect(result.series[1].values == [100, 80, 120])
        #expect(result.series[2].values == [100, 125, 200])
    }

    @Test func rebasedAgreesWithAlignByDateOnRealPrices() throws {
        let orcl = try PriceTable.parse(try IndicatorTestData.sharedText("prices", "orcl-1995-2014.csv"), source: "orcl")
        let yhoo = try PriceTable.parse(try IndicatorTestData.sharedText("prices", "yhoo-1996-2014.csv"), source: "yhoo")
        let aligned = try Metrics.alignByDate(
            dates: orcl.dates, prices: try orcl.column("Close"), benchmarkDates: yhoo.dates, benchmarkPrices: try yhoo.column("Close"))
        let result = try Comparison.rebased([
            (name: "ORCL", dates: orcl.dates, values: try orcl.column("Close")),
            (name: "YHOO", dates: yhoo.dates, values: try yhoo.column("Close")),
        ])
        #expect(result.dates == aligned.dates)
        #expect(result.dates.count > 4_000)
        for (k, price) in aligned.prices.enumerated() {
            #expect(abs(result.series[0].values[k] - 100 * price / aligned.prices[0]) <= 1e-12 * result.series[0].values[k])
        }
        for (k, price) in aligned.benchmark.enumerated() {
            #expect(abs(result.series[1].values[k] - 100 * price / aligned.benchmark[0]) <= 1e-12 * result.series[1].values[k])
        }
    }

    @Test func rebasedRefusesInputItCannotAlignOrScale() {
        #expect(throws: QuantError.empty("series")) { try Comparison.rebased([]) }
        #expect(throws: QuantError.lengthMismatch("A values", 1, "A dates", 2)) {
            try Comparison.rebased([(name: "A", dates: ["2020-01-01", "2020-01-02"], values: [1])])
        }
        #expect(throws: QuantError.invalidParameter("B date", "2020-01-01", "appears more than once")) {
            try Comparison.rebased([
                (name: "A", dates: ["2020-01-01"], values: [1]), (name: "B", dates: ["2020-01-01", "2020-01-01"], values: [1, 2]),
            ])
        }
        #expect(throws: QuantError.nonFinite("B", index: 1)) {
            try Comparison.rebased([(name: "A", dates: ["2020-01-01"], values: [1]), (name: "B", dates: ["2020-01-01", "2020-01-02"], values: [1, .nan])])
        }
        #expect(throws: QuantError(.empty, "the series have no date in common")) {
            try Comparison.rebased([(name: "A", dates: ["2020-01-01"], values: [1]), (name: "B", dates: ["2020-01-02"], values: [1])])
        }
        #expect(throws: QuantError.invalidParameter("B on 2020-01-02", 0.0, "must be positive to rebase")) {
            try Comparison.rebased([
                (name: "A", dates: ["2020-01-01", "2020-01-02"], values: [1, 2]), (name: "B", dates: ["2020-01-02"], values: [0]),
            ])
        }
    }
}
