/// A fundamental ratio, or why it cannot be given. Never NaN or an infinity.
///
/// JSON form: `{"value": 12.5}` or `{"value": null, "reason": "net income is zero"}`, so a client always
/// finds `value` and can show `reason` when it is null.
public enum RatioValue: Sendable, Hashable {
    case value(Double)
    case notAvailable(reason: String)

    /// The number, or `nil` when not available.
    public var value: Double? {
        if case .value(let v) = self { return v }
        return nil
    }

    /// Why the ratio is not available; `nil` when it is.
    public var reason: String? {
        if case .notAvailable(let reason) = self { return reason }
        return nil
    }
}

extension RatioValue: Codable {
    private enum CodingKeys: String, CodingKey { case value, reason }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let value = try container.decodeIfPresent(Double.self, forKey: .value) {
            self = .value(value)
        } else {
            self = .notAvailable(reason: try container.decode(String.self, forKey: .reason))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .value(let v):
            try container.encode(v, forKey: .value)
        case .notAvailable(let reason):
            try container.encodeNil(forKey: .value)
            try container.encode(reason, forKey: .reason)
        }
    }
}

extension RatioValue {
    /// A statement figure: missing or non-finite inputs become the reason.
    static func input(_ figure: Double?, _ name: String) -> RatioValue {
        guard let figure else { return .notAvailable(reason: "\(name) is missing") }
        guard figure.isFinite else { return .notAvailable(reason: "\(name) is not a finite number") }
        return .value(figure)
    }

    func map(_ transform: (Double) -> Double) -> RatioValue {
        switch self {
        case .value(let v): .value(transform(v))
        case .notAvailable: self
        }
    }

    /// Combines two figures; the first unavailable one gives the reason.
    func combine(_ other: RatioValue, _ transform: (Double, Double) -> Double) -> RatioValue {
        switch (self, other) {
        case (.value(let a), .value(let b)): .value(transform(a, b))
        case (.notAvailable, _): self
        case (_, .notAvailable): other
        }
    }

    /// `numerator / denominator`, not available when the denominator is zero, or negative and
    /// `positiveDenominator` is set (a multiple over a loss or a negative equity is not meaningful).
    static func ratio(_ numerator: RatioValue, over denominator: RatioValue, named name: String, positiveDenominator: Bool = true) -> RatioValue {
        guard case .value(let d) = denominator else { return denominator }
        guard case .value(let n) = numerator else { return numerator }
        if d == 0 { return .notAvailable(reason: "\(name) is zero") }
        if positiveDenominator, d < 0 { return .notAvailable(reason: "\(name) is negative, the ratio is not meaningful") }
        let q = n / d
        return q.isFinite ? .value(q) : .notAvailable(reason: "the ratio overflows (\(name) is too small)")
    }
}
