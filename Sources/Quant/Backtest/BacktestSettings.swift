/// How a backtest runs. Every amount is in the account's money; every rate is a fraction (0.01 = 1 %).
public struct BacktestSettings: Sendable, Hashable, Codable {
    /// Starting cash (> 0), default 100,000.
    public var initialCash: Double = 100_000
    /// Commission per fill, default none.
    public var fees: FeeModel = .none
    /// Slippage per fill, default none.
    public var slippage: SlippageModel = .none
    /// Largest fraction of a bar's volume one order may fill on that bar (0 < cap ≤ 1); the rest keeps working
    /// (good till cancelled) or is cancelled (day). `nil` (default): no cap.
    public var volumeCap: Double? = nil
    /// Fractional shares allowed (default); off: quantities are floored to whole shares.
    public var fractionalShares: Bool = true
    /// Short sales allowed (default). No margin requirement and no borrow cost are modelled.
    public var allowShort: Bool = true
    /// Close every open position at the last bar's close (recorded as fills). Default off: open trades are
    /// reported as open.
    public var liquidateAtEnd: Bool = false
    /// Annualisation factor for the statistics, default 252.
    public var periodsPerYear: Double = 252
    /// Risk-free return per period for the statistics, default 0.
    public var riskFree: Double = 0

    public init(
        initialCash: Double = 100_000, fees: FeeModel = .none, slippage: SlippageModel = .none, volumeCap: Double? = nil,
        fractionalShares: Bool = true, allowShort: Bool = true, liquidateAtEnd: Bool = false, periodsPerYear: Double = 252,
        riskFree: Double = 0
    ) {
        self.initialCash = initialCash
        self.fees = fees
        self.slippage = slippage
        self.volumeCap = volumeCap
        self.fractionalShares = fractionalShares
        self.allowShort = allowShort
        self.liquidateAtEnd = liquidateAtEnd
        self.periodsPerYear = periodsPerYear
        self.riskFree = riskFree
    }

    func validate() throws(QuantError) {
        guard initialCash > 0, initialCash.isFinite else {
            throw .invalidParameter("initialCash", initialCash, "must be a positive finite amount")
        }
        try fees.validate()
        try slippage.validate()
        if let volumeCap, !(volumeCap > 0 && volumeCap <= 1) {
            throw .invalidParameter("volumeCap", volumeCap, "must lie in (0, 1]")
        }
        try QuantError.requirePeriodsPerYear(periodsPerYear)
        try QuantError.requireRiskFree(riskFree)
    }
}
