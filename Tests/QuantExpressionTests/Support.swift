import Foundation
import Quant
import Testing

@testable import QuantExpression

/// Real daily bars from `Tests/Fixtures/prices` (see Tests/Fixtures/README.md); a missing file fails the test.
enum PriceFixture {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("prices")

    /// The first `limit` bars of `name` (Date,Open,High,Low,Close,Adj Close,Volume).
    static func bars(_ name: String = "orcl-1995-2014.csv", limit: Int = .max) throws -> OHLCV {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        var dates: [String] = [], open: [Double] = [], high: [Double] = [], low: [Double] = []
        var close: [Double] = [], volume: [Double] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst().prefix(limit) {
            let cells = line.split(separator: ",").map(String.init)
            dates.append(cells[0])
            open.append(Double(cells[1])!)
            high.append(Double(cells[2])!)
            low.append(Double(cells[3])!)
            close.append(Double(cells[4])!)
            volume.append(Double(cells[6])!)
        }
        return try OHLCV(dates: dates, open: open, high: high, low: low, close: close, volume: volume)
    }

    /// Bars whose closes are `closes` (open = high = low = close, volume 1), for hand-made crossing cases.
    static func flat(_ closes: [Double]) throws -> OHLCV {
        try OHLCV(
            dates: closes.indices.map { "d\($0)" }, open: closes, high: closes, low: closes, close: closes,
            volume: Array(repeating: 1, count: closes.count))
    }

    /// The first `count` bars of `bars`.
    static func prefix(_ bars: OHLCV, _ count: Int) throws -> OHLCV {
        try OHLCV(
            dates: Array(bars.dates.prefix(count)), open: Array(bars.open.prefix(count)), high: Array(bars.high.prefix(count)),
            low: Array(bars.low.prefix(count)), close: Array(bars.close.prefix(count)), volume: Array(bars.volume.prefix(count)))
    }
}

/// Compiles and prepares in one step.
func prepare(
    _ source: String, _ type: ExpressionType = .boolean, bars: OHLCV, schema: ExpressionSchema = ExpressionSchema(),
    series: [String: [Double]] = [:]
) throws -> PreparedExpression {
    let compiled = try CompiledExpression(Expression.parse(source), schema: schema, expecting: type)
    return try PreparedExpression(compiled, input: ExpressionInput(bars: bars, series: series))
}

/// The number column of a state-free number expression.
func column(_ source: String, bars: OHLCV, series: [String: [Double]] = [:], schema: ExpressionSchema = ExpressionSchema()) throws -> [Double] {
    try #require(prepare(source, .number, bars: bars, schema: schema, series: series).numberColumn)
}

/// Equal element by element: both NaN, or within `tolerance` relative (absolute near 0).
func expectSameColumn(_ actual: [Double], _ expected: [Double], tolerance: Double = 0, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(label): length", sourceLocation: sourceLocation)
    var mismatches = 0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let same = (a.isNaN && e.isNaN) || a == e || abs(a - e) <= tolerance * max(1, abs(e))
        if !same {
            mismatches += 1
            if mismatches <= 3 { Issue.record("\(label)[\(i)] = \(a), expected \(e)", sourceLocation: sourceLocation) }
        }
    }
}

/// Fully parenthesised form of a parsed expression, showing how it grouped.
func grouping(_ source: String) throws -> String {
    func show(_ s: Syntax) -> String {
        switch s.kind {
        case .number(let v, let integer): Syntax.format(v, integer: integer)
        case .boolean(let b): "\(b)"
        case .name(let n): n
        case .negate(let o): "(-\(show(o)))"
        case .not(let o): "(not \(show(o)))"
        case .binary(let op, let l, let r): "(\(show(l)) \(op.rawValue) \(show(r)))"
        case .call(let f, let args): "\(f)(\(args.map(show).joined(separator: ", ")))"
        case .lag(let o, let n): "\(show(o))[\(n)]"
        }
    }
    return show(try Expression.parse(source).syntax)
}

/// Random well-typed expressions over the bar series and the schema's extras, for property and fuzz tests.
struct ExpressionGenerator {
    var random: SplitMix64
    var stateNames: [String] = []
    var seriesNames: [String] = []

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// A number expression; `stateful` allows state variables where they are legal.
    mutating func number(depth: Int, stateful: Bool = false, division: Bool = true) -> String {
        let leaves = ["open", "high", "low", "close", "volume", "1.5", "2", "0.5%"] + seriesNames + (stateful ? stateNames : [])
        guard depth > 0 else { return pick(leaves) }
        switch int(0...13) {
        case 0, 1: return pick(leaves)
        case 2: return "(\(number(depth: depth - 1, stateful: stateful, division: division)) \(pick(division ? ["+", "-", "*", "/"] : ["+", "-", "*"])) \(number(depth: depth - 1, stateful: stateful, division: division)))"
        case 3: return "-\(number(depth: depth - 1, stateful: stateful, division: division))"
        case 4: return "\(pick(["sma", "ema", "wma", "dema", "tema", "kama", "rsi", "roc", "momentum", "trix", "highest", "lowest", "change", "pct_change"]))(\(number(depth: depth - 1, division: division)), \(int(1...8)))"
        case 5: return "\(pick(["macd", "macd_signal", "macd_hist"]))(\(number(depth: depth - 1, division: division)), \(int(2...5)), \(int(6...12)), \(int(1...5)))"
        case 6: return "\(pick(["bb_upper", "bb_middle", "bb_lower"]))(\(number(depth: depth - 1, division: division)), \(int(2...10)), \(pick(["0", "1", "2.5"])))"
        case 7: return "\(pick(["atr", "natr", "adx", "plus_di", "minus_di", "cci", "willr", "mfi", "donchian_upper", "donchian_middle", "donchian_lower"]))(\(int(1...10)))"
        case 8: return "\(pick(["stoch_k", "stoch_d"]))(\(int(1...8)), \(int(1...4)), \(int(1...4)))"
        case 9: return "obv()"
        case 10: return "\(pick(["min", "max"]))(\(number(depth: depth - 1, stateful: stateful, division: division)), \(number(depth: depth - 1, stateful: stateful, division: division)))"
        case 11: return "abs(\(number(depth: depth - 1, stateful: stateful, division: division)))"
        case 12: return "\(number(depth: depth - 1, stateful: stateful, division: division))[\(int(0...4))]"
        default: return "(\(number(depth: depth - 1, stateful: stateful, division: division)))"
        }
    }

    /// A true/false expression.
    mutating func condition(depth: Int, stateful: Bool = false) -> String {
        switch int(0...7) {
        case 0: return "\(number(depth: depth - 1, stateful: stateful)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(number(depth: depth - 1, stateful: stateful))"
        case 1: return "\(number(depth: depth - 1, stateful: stateful)) \(pick(["crosses_above", "crosses_below", "crosses"])) \(number(depth: depth - 1, stateful: stateful))"
        case 2 where depth > 1: return "(\(condition(depth: depth - 1, stateful: stateful)) \(pick(["and", "or"])) \(condition(depth: depth - 1, stateful: stateful)))"
        case 3 where depth > 1: return "not (\(condition(depth: depth - 1, stateful: stateful)))"
        case 4: return "between(\(number(depth: depth - 1, stateful: stateful)), \(number(depth: 0)), \(number(depth: depth - 1, stateful: stateful)))"
        case 5 where depth > 1: return "(\(condition(depth: depth - 1, stateful: stateful)))[\(int(0...3))]"
        default: return "\(number(depth: depth - 1, stateful: stateful)) > \(number(depth: depth - 1, stateful: stateful))"
        }
    }
}
