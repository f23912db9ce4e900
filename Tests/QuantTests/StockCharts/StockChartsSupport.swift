import Testing

/// Compares an indicator output with a StockCharts sheet column on every row the sheet defines (or on the rows
/// `where` keeps): the output must be a number there and agree within `tolerance`·max(1, |expected|), the
/// sheet's rounding. Reports the first few differing rows and the largest difference.
func expectMatches(
    _ actual: [Double], _ expected: [Double?], tolerance: Double, column: String,
    where keep: (Int) -> Bool = { _ in true }, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(column): length", sourceLocation: sourceLocation)
    var compared = 0, failures = 0, worst = 0.0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        guard let e, keep(i) else { continue }
        compared += 1
        let diff = abs(a - e)
        worst = max(worst, diff.isNaN ? .infinity : diff / max(1, abs(e)))
        guard a.isNaN || diff > tolerance * max(1, abs(e)) else { continue }
        failures += 1
        if failures <= 3 { Issue.record("\(column) row \(i): got \(a), sheet \(e)", sourceLocation: sourceLocation) }
    }
    #expect(compared > 0, "\(column): no row compared", sourceLocation: sourceLocation)
    #expect(failures == 0, "\(column): \(failures) of \(compared) rows differ (worst \(worst))", sourceLocation: sourceLocation)
}

extension ReferenceCSV {
    /// A sheet input column with blank cells replaced by `blank` (used where the sheet leaves inputs blank on
    /// rows that no compared output depends on).
    func values(_ name: String, blank: Double) -> [Double] { optionals(name).map { $0 ?? blank } }
}
