import Foundation
import Quant

/// Deterministic demo and load-test data: geometric Brownian motion on weekdays, the same bars for the same
/// (seed, symbol, range, drift, volatility) on every machine. The generated CSV is the "payload", archived and
/// parsed like an upload, so a synthetic job replays like any other.
///
/// Options: `seed` (default 1), `drift` μ (annual, default 0.07), `volatility` σ (annual, default 0.25),
/// `start_price` (default 100).
public struct SyntheticConnector: Connector {
    public let source = "synthetic"
    public let profile = ValidationProfile.prices

    public init() {}

    public func fetch(_ request: FetchRequest) async throws(ConnectorError) -> RawPayload {
        let parameters = try SyntheticSeries.Parameters(request.options)
        let to = request.to ?? Resampler.isoDate(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400))
        let from = request.from ?? Resampler.isoDate(daysSinceEpoch: (Resampler.daysSinceEpoch(to) ?? 0) - 365)
        let bars = SyntheticSeries.generate(symbol: request.symbol.uppercased(), from: from, to: to, parameters: parameters)
        return RawPayload(data: Data(SyntheticSeries.csv(bars).utf8), fileExtension: "csv")
    }

    public func parse(_ payload: Data, request: FetchRequest) throws(ConnectorError) -> ParsedSeries {
        CSVBarParser.parse(payload, symbol: request.symbol.uppercased())
    }
}

/// The generator behind ``SyntheticConnector``.
public enum SyntheticSeries {
    public struct Parameters: Sendable, Equatable {
        public var seed: UInt64 = 1
        public var drift = 0.07
        public var volatility = 0.25
        public var startPrice = 100.0

        public init() {}

        /// Reads the job options, refusing values that would not make a price series.
        public init(_ options: [String: String]) throws(ConnectorError) {
            func number(_ key: String, _ range: ClosedRange<Double>) throws(ConnectorError) -> Double? {
                guard let text = options[key] else { return nil }
                guard let value = Double(text), range.contains(value) else {
                    throw ConnectorError(.rejected, "option \(key) must be a number in \(range.lowerBound)…\(range.upperBound)")
                }
                return value
            }
            if let text = options["seed"] {
                guard let seed = UInt64(text) else { throw ConnectorError(.rejected, "option seed must be a whole number ≥ 0") }
                self.seed = seed
            }
            drift = try number("drift", -1...1) ?? drift
            volatility = try number("volatility", 0...2) ?? volatility
            startPrice = try number("start_price", 0.01...1_000_000) ?? startPrice
        }
    }

    /// Weekday bars from `from` to `to`. Close follows GBM with Δt = 1/252: Cₜ = Cₜ₋₁·exp((μ − σ²/2)Δt + σ√Δt·Z);
    /// the open is the previous close with a small gap, high and low extend beyond open and close by half a daily σ
    /// times |Z|, volume is log-normal around one million. Prices are rounded to 4 decimals (which keeps high ≥ max
    /// and low ≤ min because rounding is monotone).
    public static func generate(symbol: String, from: String, to: String, parameters: Parameters) -> [DailyBar] {
        guard let start = Resampler.daysSinceEpoch(from), let end = Resampler.daysSinceEpoch(to), start <= end else { return [] }
        var random = SplitMix64(seed: parameters.seed ^ fnv1a(symbol))
        func normal() -> Double {
            // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
            let u1 = 1 - random.nextUnit(), u2 = random.nextUnit()
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
        func round4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
        let dt = 1.0 / 252, sigma = parameters.volatility, daily = sigma * dt.squareRoot()
        var close = parameters.startPrice
        var bars: [DailyBar] = []
        let calendar = TradingCalendar()
        for day in start...end where calendar.isTradingDay(day) {
            let open = close * exp(0.2 * daily * normal())
            close = close * exp((parameters.drift - sigma * sigma / 2) * dt + daily * normal())
            let high = max(open, close) * exp(0.5 * daily * abs(normal()))
            let low = min(open, close) * exp(-0.5 * daily * abs(normal()))
            let volume = (1_000_000 * exp(0.5 * normal())).rounded()
            let c = round4(close)
            bars.append(DailyBar(date: Resampler.isoDate(daysSinceEpoch: day), open: round4(open), high: round4(high), low: round4(low),
                                 close: c, adjClose: c, volume: volume))
        }
        return bars
    }

    /// The bars in the platform's price-file layout.
    public static func csv(_ bars: [DailyBar]) -> String {
        var out = "Date,Open,High,Low,Close,Adj Close,Volume\n"
        out.reserveCapacity(bars.count * 56)
        for bar in bars {
            out += "\(bar.date),\(bar.open),\(bar.high),\(bar.low),\(bar.close),\(bar.adjClose),\(Int64(bar.volume))\n"
        }
        return out
    }

    /// FNV-1a, 64 bits: a stable per-symbol seed offset (Swift's `hashValue` changes between processes).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }
}

/// Uploaded CSV: the payload is already in the archive when the job starts, so there is nothing to fetch.
public struct CSVUploadConnector: Connector {
    public let source = "csv"
    public let profile = ValidationProfile.prices

    public init() {}

    public func fetch(_ request: FetchRequest) async throws(ConnectorError) -> RawPayload {
        throw ConnectorError(.rejected, "an upload has no remote source: its payload is read from the raw archive")
    }

    public func parse(_ payload: Data, request: FetchRequest) throws(ConnectorError) -> ParsedSeries {
        CSVBarParser.parse(payload, symbol: request.symbol.uppercased())
    }
}
