/// JSON of a condition: one flat object named by `type`, the case name.
///
///     {"type": "crossingUp", "level": 100}
///     {"type": "greaterThan", "level": "sma(close, 200)"}
///     {"type": "enteringChannel", "lower": 90, "upper": "bb_upper(close, 20, 2)"}
///     {"type": "movingUp", "percent": 5, "bars": 3}        (or "amount": 2)
///
/// Decoding validates (``AlertCondition/validate()``), so a stored rule is always one the evaluator accepts.
extension AlertCondition: Codable {
    enum CodingKeys: String, CodingKey {
        case type, level, lower, upper, amount, percent, bars
    }

    enum Kind: String, Codable {
        case crossing, crossingUp, crossingDown, greaterThan, lessThan
        case enteringChannel, exitingChannel, insideChannel, outsideChannel
        case movingUp, movingDown
    }

    var kind: Kind {
        switch self {
        case .crossing: .crossing
        case .crossingUp: .crossingUp
        case .crossingDown: .crossingDown
        case .greaterThan: .greaterThan
        case .lessThan: .lessThan
        case .enteringChannel: .enteringChannel
        case .exitingChannel: .exitingChannel
        case .insideChannel: .insideChannel
        case .outsideChannel: .outsideChannel
        case .movingUp: .movingUp
        case .movingDown: .movingDown
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(Kind.self, forKey: .type)
        switch kind {
        case .crossing, .crossingUp, .crossingDown, .greaterThan, .lessThan:
            let level = try c.decode(AlertOperand.self, forKey: .level)
            self =
                switch kind {
                case .crossing: .crossing(level)
                case .crossingUp: .crossingUp(level)
                case .crossingDown: .crossingDown(level)
                case .greaterThan: .greaterThan(level)
                default: .lessThan(level)
                }
        case .enteringChannel, .exitingChannel, .insideChannel, .outsideChannel:
            let lower = try c.decode(AlertOperand.self, forKey: .lower)
            let upper = try c.decode(AlertOperand.self, forKey: .upper)
            self =
                switch kind {
                case .enteringChannel: .enteringChannel(lower: lower, upper: upper)
                case .exitingChannel: .exitingChannel(lower: lower, upper: upper)
                case .insideChannel: .insideChannel(lower: lower, upper: upper)
                default: .outsideChannel(lower: lower, upper: upper)
                }
        case .movingUp, .movingDown:
            let amount = try c.decodeIfPresent(Double.self, forKey: .amount)
            let percent = try c.decodeIfPresent(Double.self, forKey: .percent)
            let move: AlertMove
            switch (amount, percent) {
            case (let a?, nil): move = .amount(a)
            case (nil, let p?): move = .percent(p)
            default:
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath, debugDescription: "\(kind.rawValue) needs exactly one of amount or percent"))
            }
            let bars = try c.decode(Int.self, forKey: .bars)
            self = kind == .movingUp ? .movingUp(move, bars: bars) : .movingDown(move, bars: bars)
        }
        do {
            try validate()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .type)
        switch self {
        case .crossing(let level), .crossingUp(let level), .crossingDown(let level), .greaterThan(let level), .lessThan(let level):
            try c.encode(level, forKey: .level)
        case .enteringChannel(let lower, let upper), .exitingChannel(let lower, let upper),
            .insideChannel(let lower, let upper), .outsideChannel(let lower, let upper):
            try c.encode(lower, forKey: .lower)
            try c.encode(upper, forKey: .upper)
        case .movingUp(let move, let bars), .movingDown(let move, let bars):
            switch move {
            case .amount(let a): try c.encode(a, forKey: .amount)
            case .percent(let p): try c.encode(p, forKey: .percent)
            }
            try c.encode(bars, forKey: .bars)
        }
    }
}
