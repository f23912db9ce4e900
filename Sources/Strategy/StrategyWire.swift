import Foundation
import Quant
import ServiceKit

// Wire types of the `strategy` service. Prices, cash and statistics are ordinary JSON numbers: the backtesting
// engine simulates in binary64 like every peer (docs/backtesting.md); the exact Decimal ledger is the portfolio's.

/// What a strategy trades and how it decides: a built-in with parameters, or entry/exit rules in the expression
/// language (docs/expressions.md).
struct StrategyDefinition: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable, CaseIterable {
        case builtin, rules
    }

    /// Rules strategies: enter when `entry` becomes true, exit when `exit` does (and on the optional stops).
    struct Rules: Codable, Sendable, Hashable {
        var entry: String
        var exit: String?
        /// `long` (default) or `short`.
        var side: Side?
        /// Fraction of equity per symbol when entering; default 1 / number of symbols.
        var size: Double?
        /// Stop-loss and take-profit distances as fractions of the entry price (0.1 = 10 %), attached to each entry.
        var stopLoss: Double?
        var takeProfit: Double?

        init(entry: String, exit: String? = nil, side: Side? = nil, size: Double? = nil, stopLoss: Double? = nil, takeProfit: Double? = nil) {
            (self.entry, self.exit, self.side, self.size, self.stopLoss, self.takeProfit) = (entry, exit, side, size, stopLoss, takeProfit)
        }

        enum CodingKeys: String, CodingKey {
            case entry, exit, side, size
            case stopLoss = "stop_loss"
            case takeProfit = "take_profit"
        }
    }

    enum Side: String, Codable, Sendable, CaseIterable {
        case long, short
    }

    var type: Kind
    /// `type: builtin`: the built-in's name (`GET /api/v1/strategy/builtins` lists them).
    var builtin: String?
    /// Built-in parameters; missing ones take their defaults.
    var parameters: [String: Double]?
    var rules: Rules?
    /// The symbols traded (the default universe of its backtests and its live symbols).
    var symbols: [String]
    /// `rebalance`: target weight per symbol (default equal weights).
    var weights: [String: Double]?
}

/// Fees of every fill, summed over the parts given: `percent` of notional; `per_share` with `minimum` and
/// `maximum_percent` of the fill's value; `fixed` per order; or `preset: interactive-brokers-us`
/// (0.005/share, minimum 1, maximum 0.5 %).
struct FeesInput: Codable, Sendable, Hashable {
    var preset: String?
    var percent: Double?
    var perShare: Double?
    var minimum: Double?
    var maximumPercent: Double?
    var fixed: Double?

    init(preset: String? = nil, percent: Double? = nil, perShare: Double? = nil, minimum: Double? = nil, maximumPercent: Double? = nil, fixed: Double? = nil) {
        (self.preset, self.percent, self.perShare, self.minimum, self.maximumPercent, self.fixed) = (preset, percent, perShare, minimum, maximumPercent, fixed)
    }

    enum CodingKeys: String, CodingKey {
        case preset, percent, minimum, fixed
        case perShare = "per_share"
        case maximumPercent = "maximum_percent"
    }
}

/// Slippage, adverse to the side of each fill.
struct SlippageInput: Codable, Sendable, Hashable {
    enum Model: String, Codable, Sendable, CaseIterable {
        case none, percent, fixed
        case volumeShare = "volume_share"
    }

    var model: Model
    /// `percent`: fraction of the price; `fixed`: amount per share.
    var value: Double?
    /// `volume_share` (Lean): min(quantity / bar volume, volume_limit)² × price_impact × price.
    var priceImpact: Double?
    var volumeLimit: Double?

    init(model: Model, value: Double? = nil, priceImpact: Double? = nil, volumeLimit: Double? = nil) {
        (self.model, self.value, self.priceImpact, self.volumeLimit) = (model, value, priceImpact, volumeLimit)
    }

    enum CodingKeys: String, CodingKey {
        case model, value
        case priceImpact = "price_impact"
        case volumeLimit = "volume_limit"
    }
}

/// How orders fill.
struct FillInput: Codable, Sendable, Hashable {
    /// Largest share of a bar's volume one fill may take (partial fills beyond it); none by default.
    var volumeCap: Double?
    var fractional: Bool?
    var allowShort: Bool?
    var liquidateAtEnd: Bool?

    init(volumeCap: Double? = nil, fractional: Bool? = nil, allowShort: Bool? = nil, liquidateAtEnd: Bool? = nil) {
        (self.volumeCap, self.fractional, self.allowShort, self.liquidateAtEnd) = (volumeCap, fractional, allowShort, liquidateAtEnd)
    }

    enum CodingKeys: String, CodingKey {
        case volumeCap = "volume_cap"
        case fractional
        case allowShort = "allow_short"
        case liquidateAtEnd = "liquidate_at_end"
    }
}

/// The market and money settings of a run (and of a live strategy's paper account).
struct RunSettings: Codable, Sendable, Hashable {
    var from: LocalDate?
    var to: LocalDate?
    var capital: Double?
    var fees: FeesInput?
    var slippage: SlippageInput?
    var fill: FillInput?
    /// A symbol whose daily returns give alpha and beta.
    var benchmark: String?
    /// Per-period risk-free return for Sharpe, Sortino and alpha (default 0).
    var riskFree: Double?

    init(from: LocalDate? = nil, to: LocalDate? = nil, capital: Double? = nil, fees: FeesInput? = nil, slippage: SlippageInput? = nil,
         fill: FillInput? = nil, benchmark: String? = nil, riskFree: Double? = nil) {
        (self.from, self.to, self.capital, self.fees, self.slippage, self.fill, self.benchmark, self.riskFree) =
            (from, to, capital, fees, slippage, fill, benchmark, riskFree)
    }

    enum CodingKeys: String, CodingKey {
        case from, to, capital, fees, slippage, fill, benchmark
        case riskFree = "risk_free"
    }
}

/// The body of `POST/PATCH /strategies`.
struct StrategyInput: Codable, Sendable, Hashable {
    var name: String?
    var type: StrategyDefinition.Kind?
    var builtin: String?
    var parameters: [String: Double]?
    var rules: StrategyDefinition.Rules?
    var symbols: [String]?
    var weights: [String: Double]?
    /// Evaluate on every new bar, publish signals and run the paper account.
    var live: Bool?
    /// Money and fill settings of the paper account (capital, fees, slippage, fill).
    var paper: RunSettings?
}

/// A stored strategy as answered.
struct StrategyView: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var owner: String
    var type: StrategyDefinition.Kind
    var builtin: String?
    var parameters: [String: Double]?
    var rules: StrategyDefinition.Rules?
    var symbols: [String]
    var weights: [String: Double]?
    var live: Bool
    var liveSince: String?
    var paper: RunSettings?
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, owner, type, builtin, parameters, rules, symbols, weights, live, paper
        case liveSince = "live_since"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The body of `POST /backtests`: a stored strategy (`strategy_id`, optionally with `parameters` overriding its
/// own) or an inline `strategy`, and the run's settings.
struct BacktestInput: Codable, Sendable {
    var strategyID: String?
    var strategy: StrategyInput?
    var symbols: [String]?
    var parameters: [String: Double]?
    var settings: RunSettings

    enum CodingKeys: String, CodingKey {
        case strategy, symbols, parameters
        case strategyID = "strategy_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        strategyID = try c.decodeIfPresent(String.self, forKey: .strategyID)
        strategy = try c.decodeIfPresent(StrategyInput.self, forKey: .strategy)
        symbols = try c.decodeIfPresent([String].self, forKey: .symbols)
        parameters = try c.decodeIfPresent([String: Double].self, forKey: .parameters)
        settings = try RunSettings(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(strategyID, forKey: .strategyID)
        try c.encodeIfPresent(strategy, forKey: .strategy)
        try c.encodeIfPresent(symbols, forKey: .symbols)
        try c.encodeIfPresent(parameters, forKey: .parameters)
        try settings.encode(to: encoder)
    }
}

/// The resolved, validated job a worker runs: everything needed to reproduce it (its hash is `definition_hash`).
struct BacktestJob: Codable, Sendable, Hashable {
    var definition: StrategyDefinition
    var settings: RunSettings
}

/// A parameter's values in an optimisation: an explicit list, or `start`...`stop` by `step`.
struct ParameterRangeInput: Codable, Sendable, Hashable {
    var values: [Double]?
    var start: Double?
    var stop: Double?
    var step: Double?
}

/// Walk-forward analysis: optimise on each in-sample window, trade the best parameters on the following
/// out-of-sample window, stitch the out-of-sample equity. Lengths in bars.
struct WalkForwardInput: Codable, Sendable, Hashable {
    var inSample: Int
    var outOfSample: Int
    var step: Int?
    var anchored: Bool?

    enum CodingKeys: String, CodingKey {
        case anchored, step
        case inSample = "in_sample"
        case outOfSample = "out_of_sample"
    }
}

/// The body of `POST /optimizations`.
struct OptimizationInput: Codable, Sendable, Hashable {
    var strategyID: String?
    var strategy: StrategyInput?
    var symbols: [String]?
    var grid: [String: ParameterRangeInput]
    /// An expression over the parameters that a combination must satisfy, e.g. `fast < slow`.
    var constraint: String?
    /// The statistic to maximise (`sharpe` by default; `max_drawdown` and other losses are maximised as given,
    /// i.e. the least negative wins).
    var objective: String?
    /// Evaluate a random sample of this many combinations instead of the whole grid.
    var sample: Int?
    var seed: UInt64?
    var walkForward: WalkForwardInput?
    var settings: RunSettings

    enum CodingKeys: String, CodingKey {
        case strategy, symbols, grid, constraint, objective, sample, seed
        case strategyID = "strategy_id"
        case walkForward = "walk_forward"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        strategyID = try c.decodeIfPresent(String.self, forKey: .strategyID)
        strategy = try c.decodeIfPresent(StrategyInput.self, forKey: .strategy)
        symbols = try c.decodeIfPresent([String].self, forKey: .symbols)
        grid = try c.decode([String: ParameterRangeInput].self, forKey: .grid)
        constraint = try c.decodeIfPresent(String.self, forKey: .constraint)
        objective = try c.decodeIfPresent(String.self, forKey: .objective)
        sample = try c.decodeIfPresent(Int.self, forKey: .sample)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
        walkForward = try c.decodeIfPresent(WalkForwardInput.self, forKey: .walkForward)
        settings = try RunSettings(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(strategyID, forKey: .strategyID)
        try c.encodeIfPresent(strategy, forKey: .strategy)
        try c.encodeIfPresent(symbols, forKey: .symbols)
        try c.encode(grid, forKey: .grid)
        try c.encodeIfPresent(constraint, forKey: .constraint)
        try c.encodeIfPresent(objective, forKey: .objective)
        try c.encodeIfPresent(sample, forKey: .sample)
        try c.encodeIfPresent(seed, forKey: .seed)
        try c.encodeIfPresent(walkForward, forKey: .walkForward)
        try settings.encode(to: encoder)
    }
}

/// The resolved optimisation job.
struct OptimizationJob: Codable, Sendable, Hashable {
    var definition: StrategyDefinition
    var grid: [String: [Double]]
    /// Parameter names in the order the grid enumerates them.
    var order: [String]
    var constraint: String?
    var objective: String
    var sample: Int?
    var seed: UInt64
    var walkForward: WalkForwardInput?
    var settings: RunSettings

    enum CodingKeys: String, CodingKey {
        case definition, grid, order, constraint, objective, sample, seed, settings
        case walkForward = "walk_forward"
    }
}

/// A run (backtest or optimisation) as answered.
struct RunView: Codable, Sendable {
    var id: String
    var kind: String
    var status: String
    var progress: Double
    var strategyID: String?
    var request: JSONValue
    var definitionHash: String
    var dataHash: String?
    var error: String?
    var statistics: JSONValue?
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, progress, request, error, statistics
        case strategyID = "strategy_id"
        case definitionHash = "definition_hash"
        case dataHash = "data_hash"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

/// The payload of `data.bars.stored` (the fields this service reads).
struct BarsStoredNotice: Decodable, Sendable {
    var symbol: String
}
