/// Commission charged on each fill, in the account's money.
public indirect enum FeeModel: Sendable, Hashable, Codable {
    case none
    /// `rate × |qty| × price` (0.001 = 0.1 % of notional).
    case percent(Double)
    /// `clamp(rate × |qty|, minimum, maximumPercent × |qty| × price)`; without a maximum only the minimum applies.
    /// When the maximum is below the minimum, the maximum wins (IB's rule for tiny orders).
    case perShare(rate: Double, minimum: Double, maximumPercent: Double?)
    /// The same amount on every fill.
    case fixed(Double)
    /// The sum of the parts.
    case combined([FeeModel])

    /// Interactive Brokers US fixed pricing for stocks: USD 0.005 a share, at least USD 1.00, at most 0.5 % of
    /// the trade's value (exchange and regulatory fees not included).
    public static let interactiveBrokersUS: FeeModel = .perShare(rate: 0.005, minimum: 1.00, maximumPercent: 0.005)

    /// The fee of one fill of `quantity` shares (sign ignored) at `price`.
    public func fee(quantity: Double, price: Double) -> Double {
        let q = quantity.magnitude
        switch self {
        case .none: return 0
        case .percent(let rate): return rate * q * price
        case .perShare(let rate, let minimum, let maximumPercent):
            var fee = Swift.max(rate * q, minimum)
            if let maximumPercent { fee = Swift.min(fee, maximumPercent * q * price) }
            return fee
        case .fixed(let amount): return amount
        case .combined(let parts):
            var sum = 0.0
            for part in parts { sum += part.fee(quantity: q, price: price) }
            return sum
        }
    }

    /// Validates rates and amounts (finite, ≥ 0).
    func validate() throws(QuantError) {
        switch self {
        case .none: return
        case .percent(let rate): try Self.require(rate, "fees.percent")
        case .perShare(let rate, let minimum, let maximumPercent):
            try Self.require(rate, "fees.perShare.rate")
            try Self.require(minimum, "fees.perShare.minimum")
            if let maximumPercent { try Self.require(maximumPercent, "fees.perShare.maximumPercent") }
        case .fixed(let amount): try Self.require(amount, "fees.fixed")
        case .combined(let parts): for part in parts { try part.validate() }
        }
    }

    static func require(_ value: Double, _ name: String) throws(QuantError) {
        guard value.isFinite, value >= 0 else { throw .invalidParameter(name, value, "must be a finite number ≥ 0") }
    }
}

/// Price slippage, always against the trader: a buy fills higher, a sell lower.
public enum SlippageModel: Sendable, Hashable, Codable {
    case none
    /// A fraction of the price (0.0005 = 5 bp).
    case percent(Double)
    /// A price amount per share.
    case fixed(Double)
    /// Lean's `VolumeShareSlippageModel`: `min(|qty| / barVolume, volumeLimit)² × priceImpact × price`
    /// (Lean's defaults: volumeLimit 0.025, priceImpact 0.1). A bar without volume slips by the cap.
    case volumeShare(priceImpact: Double, volumeLimit: Double)

    /// Lean's default volume-share model.
    public static let leanVolumeShare: SlippageModel = .volumeShare(priceImpact: 0.1, volumeLimit: 0.025)

    /// Slippage per share (≥ 0) for a fill of `quantity` at `price` on a bar that traded `barVolume`.
    public func perShare(quantity: Double, price: Double, barVolume: Double) -> Double {
        switch self {
        case .none: return 0
        case .percent(let fraction): return fraction * price
        case .fixed(let amount): return amount
        case .volumeShare(let impact, let limit):
            let share = barVolume > 0 ? Swift.min(quantity.magnitude / barVolume, limit) : limit
            return share * share * impact * price
        }
    }

    func validate() throws(QuantError) {
        switch self {
        case .none: return
        case .percent(let f): try FeeModel.require(f, "slippage.percent")
        case .fixed(let a): try FeeModel.require(a, "slippage.fixed")
        case .volumeShare(let impact, let limit):
            try FeeModel.require(impact, "slippage.priceImpact")
            try FeeModel.require(limit, "slippage.volumeLimit")
        }
    }
}
