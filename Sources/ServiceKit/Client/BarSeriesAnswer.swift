import Quant

/// The body of `data`'s `GET /api/v1/data/market/{symbol}` (JSON) as peers read it: the bars as binary64 OHLCV
/// (the portfolio service reads the closes as exact decimals instead).
public struct BarSeriesAnswer: Decodable, Sendable {
    public struct Bar: Decodable, Sendable {
        public var date: String
        public var open: Double
        public var high: Double
        public var low: Double
        public var close: Double
        public var volume: Double
    }

    public var bars: [Bar]

    public init(bars: [Bar]) { self.bars = bars }

    /// The bars as validated columns.
    public func ohlcv() throws(QuantError) -> OHLCV {
        try OHLCV(dates: bars.map(\.date), open: bars.map(\.open), high: bars.map(\.high), low: bars.map(\.low), close: bars.map(\.close),
                  volume: bars.map(\.volume))
    }
}
