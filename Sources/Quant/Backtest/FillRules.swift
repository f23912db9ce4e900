/// One bar's prices as the fill rules see them.
public struct BarPrices: Sendable, Hashable {
    public let open: Double, high: Double, low: Double, close: Double

    public init(open: Double, high: Double, low: Double, close: Double) {
        self.open = open
        self.high = high
        self.low = low
        self.close = close
    }
}

/// Where in a bar a fill happened: it decides which part of the bar counts for a trade's MAE/MFE.
public enum FillPoint: String, Sendable, Hashable, Codable {
    case open, intraday, close
}

/// Lean's equity fill model on one daily bar, before slippage. Pure functions; the engine calls them with
/// orders that are active on the bar.
///
/// - Stop (buy stop `S`): triggers when `high ≥ S`; fills at `S`, or at the open when the bar opens at or
///   beyond it (a gap through the stop). Sell stop mirrored with `low ≤ S`.
/// - Limit (buy limit `L`): fills when `low ≤ L`, at `L`, or at the open when the open is better (`open ≤ L`).
///   Sell limit mirrored.
/// - No rule fills outside `[low, high]` (slippage is added afterwards and may).
public enum FillRules {
    /// Price of a stop order of `side` at `stop` on `bar`, `nil` when not triggered.
    public static func stop(_ side: Side, stop: Double, bar: BarPrices) -> (price: Double, point: FillPoint)? {
        switch side {
        case .buy:
            if bar.open >= stop { return (bar.open, .open) }
            if bar.high >= stop { return (stop, .intraday) }
        case .sell:
            if bar.open <= stop { return (bar.open, .open) }
            if bar.low <= stop { return (stop, .intraday) }
        }
        return nil
    }

    /// Price of a limit order of `side` at `limit` on `bar`, `nil` when the bar never reaches it.
    public static func limit(_ side: Side, limit: Double, bar: BarPrices) -> (price: Double, point: FillPoint)? {
        switch side {
        case .buy:
            if bar.open <= limit { return (bar.open, .open) }
            if bar.low <= limit { return (limit, .intraday) }
        case .sell:
            if bar.open >= limit { return (bar.open, .open) }
            if bar.high >= limit { return (limit, .intraday) }
        }
        return nil
    }

    /// Stop-limit on its trigger bar: triggers as a stop; the triggered order is a limit that fills on the same
    /// bar only where the bar's path allows it without knowing the order of high and low:
    /// - triggered at the open (gap): a limit from the open on, i.e. `limit(side, limit, bar)`;
    /// - triggered inside the bar at `S`: fills at `S` when `S` is within the limit (buy: `S ≤ L`), otherwise not
    ///   on this bar (whether the price came back to `L` after touching `S` is unknown).
    /// Returns whether it triggered and the fill, if any. Once triggered, later bars use `limit`.
    public static func stopLimit(
        _ side: Side, stop: Double, limit: Double, bar: BarPrices
    ) -> (triggered: Bool, fill: (price: Double, point: FillPoint)?) {
        guard let trigger = Self.stop(side, stop: stop, bar: bar) else { return (false, nil) }
        if trigger.point == .open { return (true, Self.limit(side, limit: limit, bar: bar)) }
        let within = side == .buy ? stop <= limit : stop >= limit
        return (true, within ? (stop, .intraday) : nil)
    }

    /// Stop level of a trailing stop given the best close so far (highest for a sell, lowest for a buy).
    public static func trailingLevel(_ side: Side, bestClose: Double, distance: TrailDistance) -> Double {
        switch (side, distance) {
        case (.sell, .amount(let a)): bestClose - a
        case (.sell, .percent(let p)): bestClose * (1 - p)
        case (.buy, .amount(let a)): bestClose + a
        case (.buy, .percent(let p)): bestClose * (1 + p)
        }
    }
}
