import Foundation

/// One named parameter of a strategy and the values a search tries, in the order they are tried.
public struct ParameterRange: Sendable, Hashable, Codable {
    public let name: String
    public let values: [Double]
    /// True when every value is a whole number meant to be used as an `Int` (a period, a lookback).
    public let isInteger: Bool

    /// Most values one range may hold.
    public static let maximumValues = 1_000_000

    /// An explicit list of integer values, tried in the given order.
    public static func integers(_ name: String, _ values: [Int]) throws(QuantError) -> ParameterRange {
        try ParameterRange(name: name, values: values.map(Double.init), isInteger: true)
    }

    /// `from, from + by, …` up to and including `through` when the step lands on it.
    public static func integers(_ name: String, from: Int, through: Int, by step: Int = 1) throws(QuantError) -> ParameterRange {
        guard step > 0 else { throw .invalidParameter("\(name) step", step, "must be positive") }
        guard from <= through else { throw .invalidParameter("\(name) from", from, "must not exceed through (\(through))") }
        let count = (through - from) / step + 1
        guard count <= maximumValues else { throw .invalidParameter("\(name) values", count, "a range holds at most \(maximumValues)") }
        return try integers(name, Array(stride(from: from, through: through, by: step)))
    }

    /// An explicit list of real values, tried in the given order.
    public static func reals(_ name: String, _ values: [Double]) throws(QuantError) -> ParameterRange {
        try ParameterRange(name: name, values: values, isInteger: false)
    }

    /// `from + i · by` for i = 0, 1, … while the value does not pass `through` (with a tolerance of 1e-9 steps
    /// for rounding; a last value within that tolerance is replaced by `through` exactly, so 0.1…0.3 by 0.1 ends
    /// at 0.3, not 0.30000000000000004). Values are computed by multiplication, never by accumulation.
    public static func reals(_ name: String, from: Double, through: Double, by step: Double) throws(QuantError) -> ParameterRange {
        guard from.isFinite, through.isFinite, step.isFinite else {
            throw .invalidParameter("\(name) range", "\(from)…\(through) by \(step)", "bounds and step must be finite")
        }
        guard step > 0 else { throw .invalidParameter("\(name) step", step, "must be positive") }
        guard from <= through else { throw .invalidParameter("\(name) from", from, "must not exceed through (\(through))") }
        let steps = ((through - from) / step + 1e-9).rounded(.down)
        guard steps < Double(maximumValues) else { throw .invalidParameter("\(name) values", steps + 1, "a range holds at most \(maximumValues)") }
        var values = (0...Int(steps)).map { from + Double($0) * step }
        if abs(values[values.count - 1] - through) <= 1e-9 * step { values[values.count - 1] = through }
        return try reals(name, values)
    }

    private init(name: String, values: [Double], isInteger: Bool) throws(QuantError) {
        guard !name.isEmpty else { throw .invalidParameter("parameter name", "\"\"", "must not be empty") }
        guard !values.isEmpty else { throw .empty("\(name) values") }
        try QuantError.requireFinite(values, "\(name) values")
        var seen = Set<Double>()
        for value in values where !seen.insert(value).inserted {
            throw .invalidParameter("\(name) values", value, "each value may appear once")
        }
        self.name = name
        self.values = values
        self.isInteger = isInteger
    }
}

/// One point of a parameter grid: values by name, in the grid's declared order.
///
/// Encoded as an ordered JSON array of `{"name": …, "value": …}` pairs rather than an object, because JSON
/// decoders do not keep an object's key order.
public struct ParameterSet: Sendable, Hashable, Codable, CustomStringConvertible {
    public let names: [String]
    public let values: [Double]

    public init(names: [String], values: [Double]) throws(QuantError) {
        guard names.count == values.count else { throw .lengthMismatch("names", names.count, "values", values.count) }
        guard Set(names).count == names.count else { throw .invalidParameter("names", names.joined(separator: ","), "each name may appear once") }
        self.names = names
        self.values = values
    }

    init(unchecked names: [String], _ values: [Double]) {
        self.names = names
        self.values = values
    }

    /// The value named `name`, `nil` when the set has no such parameter.
    public subscript(name: String) -> Double? {
        names.firstIndex(of: name).map { values[$0] }
    }

    /// The value named `name` as an `Int`, `nil` when absent or not a whole number.
    public func integer(_ name: String) -> Int? {
        self[name].flatMap { Int(exactly: $0) }
    }

    /// The values keyed by name (unordered).
    public var dictionary: [String: Double] {
        Dictionary(uniqueKeysWithValues: zip(names, values))
    }

    /// `fast=10, slow=50`.
    public var description: String {
        zip(names, values).map { "\($0)=\($1.rounded() == $1 && abs($1) < 1e15 ? String(Int($1)) : String($1))" }
            .joined(separator: ", ")
    }

    private struct Pair: Codable {
        let name: String
        let value: Double
    }

    public init(from decoder: any Decoder) throws {
        let pairs = try [Pair](from: decoder)
        do {
            try self.init(names: pairs.map(\.name), values: pairs.map(\.value))
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try zip(names, values).map { Pair(name: $0, value: $1) }.encode(to: encoder)
    }
}

/// The Cartesian product of parameter ranges, enumerated in a stable order: lexicographic by the ranges' declared
/// order (the first range varies slowest, like Python's `itertools.product`), each range in its values' order.
public struct ParameterGrid: Sendable, Hashable {
    /// Default ``init(ranges:limit:where:)`` limit on the product size.
    public static let defaultLimit = 100_000

    public let ranges: [ParameterRange]
    /// Every combination the filter kept, in grid order.
    public let combinations: [ParameterSet]

    /// Number of combinations kept.
    public var count: Int { combinations.count }

    /// Builds the grid, keeping the combinations `filter` accepts (a constraint such as fast < slow). The
    /// filter may reject them all (`count == 0`).
    ///
    /// - Throws: `QuantError` when `ranges` is empty, two ranges share a name, or the unfiltered product exceeds
    ///   `limit` (it is enumerated to apply the filter).
    public init(
        ranges: [ParameterRange], limit: Int = ParameterGrid.defaultLimit, where filter: ((ParameterSet) -> Bool)? = nil
    ) throws(QuantError) {
        guard !ranges.isEmpty else { throw .empty("ranges") }
        let names = ranges.map(\.name)
        if let duplicate = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) }) {
            throw .invalidParameter("ranges", duplicate.element, "two ranges have this name")
        }
        var size = 1
        for range in ranges {
            let (product, overflow) = size.multipliedReportingOverflow(by: range.values.count)
            guard !overflow, product <= limit else {
                let shape = ranges.map { "\($0.name) \($0.values.count)" }.joined(separator: " × ")
                throw .invalidParameter("parameter grid size", overflow ? "more than \(Int.max)" : String(product),
                    "\(shape) exceeds the limit of \(limit) combinations; narrow a range or raise the limit")
            }
            size = product
        }
        var kept: [ParameterSet] = []
        var index = [Int](repeating: 0, count: ranges.count)
        for _ in 0..<size {
            let set = ParameterSet(unchecked: names, ranges.indices.map { ranges[$0].values[index[$0]] })
            if filter?(set) ?? true { kept.append(set) }
            var position = ranges.count - 1
            while position >= 0 {
                index[position] += 1
                if index[position] < ranges[position].values.count { break }
                index[position] = 0
                position -= 1
            }
        }
        self.ranges = ranges
        combinations = kept
    }

    /// `count` distinct combinations drawn uniformly without replacement, returned in grid order; all of them
    /// when `count ≥ self.count`. The draw is a partial Fisher–Yates shuffle of the indices with SplitMix64
    /// seeded by `seed` and Lemire's unbiased multiply-shift bound (so the result depends only on the seed, not on
    /// the standard library's random-number algorithms).
    public func sample(count: Int, seed: UInt64) throws(QuantError) -> [ParameterSet] {
        guard count >= 0 else { throw .invalidParameter("count", count, "must not be negative") }
        guard count < combinations.count else { return combinations }
        var generator = SplitMix64(seed: seed)
        var indices = Array(combinations.indices)
        for i in 0..<count {
            let j = i + Int(Self.bounded(UInt64(indices.count - i), &generator))
            indices.swapAt(i, j)
        }
        return indices[..<count].sorted().map { combinations[$0] }
    }

    /// Uniform integer in `0..<bound` (Lemire 2019, "Fast Random Integer Generation in an Interval").
    static func bounded(_ bound: UInt64, _ generator: inout SplitMix64) -> UInt64 {
        var product = generator.next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = generator.next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }
}
