/// Everything a run produced.
public struct BacktestResult: Sendable {
    public let dates: [String]
    /// Per bar, at the close: cash + Σ qty × close.
    public let equity: [Double]
    public let cash: [Double]
    /// Per bar, at the close: (Σ long value + Σ |short value|) / equity.
    public let exposure: [Double]
    public let refusals: [Refusal]
    public let statistics: BacktestStatistics
    let bars: MarketBars
    let fillRecords: RecordLog<FillRecord>

    /// Every execution in order. Built on each access from compact records (a run of a million fills does not
    /// pay for a million records of strings unless asked): keep the array when reading it more than once.
    public var fills: [Fill] { fillRecords.elements.map { $0.fill(in: bars) } }
    /// Closed round trips in the order they closed, then the trades still open at the end. Rebuilt on each
    /// access by replaying `fills` through the FIFO matcher (the run itself only accumulates trade statistics).
    public var trades: [Trade] { TradeBook.replay(fillRecords, bars: bars).map { $0.trade(in: bars) } }
    /// `fills.count` without building the fills.
    public var fillCount: Int { fillRecords.count }
}

/// The event-driven backtesting engine; see docs/backtesting.md.
public enum Backtest {
    /// Runs `strategy` over `bars`.
    ///
    /// - Parameter benchmark: benchmark simple returns, one per bar (the first measured from the bar before the
    ///   first, like the equity's first return from the initial cash), for alpha and beta; `nil` for none.
    /// - Throws: `QuantError` for invalid settings, a benchmark of the wrong length, or whatever `prepare` throws.
    public static func run<S: TradingStrategy>(
        _ strategy: inout S, on bars: MarketBars, settings: BacktestSettings = BacktestSettings(), benchmark: [Double]? = nil
    ) throws(QuantError) -> BacktestResult {
        try settings.validate()
        if let benchmark, benchmark.count != bars.dateCount {
            throw .lengthMismatch("benchmark", benchmark.count, "bars", bars.dateCount)
        }
        try strategy.prepare(bars)
        var engine = Engine(bars: bars, settings: settings)
        let n = bars.dateCount, symbolCount = bars.symbols.count
        var equity = [Double](repeating: 0, count: n), cash = equity, exposure = equity
        for t in 0..<n {
            engine.context.bar = t
            engine.context.phase = .beforeClose
            engine.mark(\.openByDate)
            if !engine.context.openOrders.isEmpty { engine.execute(at: .intraday) }
            strategy.beforeClose(&engine.context)
            engine.mark(\.closeByDate)
            if !engine.context.openOrders.isEmpty { engine.execute(at: .close) }
            if settings.liquidateAtEnd, t == n - 1 { engine.liquidate() }
            var gross = 0.0
            engine.context.positions.withUnsafeBufferPointer { q in
                engine.context.marks.withUnsafeBufferPointer { m in
                    for s in 0..<symbolCount where q[s] != 0 { gross += (q[s] * m[s]).magnitude }
                }
            }
            let e = engine.context.equity
            equity[t] = e
            cash[t] = engine.context.cash
            exposure[t] = gross == 0 ? 0 : gross / e
            if !engine.context.openOrders.isEmpty { engine.endOfBar() }
            engine.context.phase = .afterClose
            strategy.onBar(&engine.context)
        }
        let statistics = try BacktestStatistics(
            bars: bars, settings: settings, equity: equity, exposure: exposure, trades: engine.book.summary,
            openTradeCount: engine.book.openLotCount,
            totalFees: engine.book.totalFees, tradedValue: engine.book.tradedValue, benchmark: benchmark)
        return BacktestResult(
            dates: bars.dates, equity: equity, cash: cash, exposure: exposure, refusals: engine.context.refusals, statistics: statistics,
            bars: bars, fillRecords: engine.book.fills)
    }
}
