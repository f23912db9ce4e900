import Quant

/// A compiled expression bound to data: every sub-expression that uses no state variable is computed once as a
/// whole column (each in O(bars)), so evaluating a bar only combines the state-dependent remainder.
///
/// Values at bar t depend only on bars 0...t. Number values are NaN where undefined; an arithmetic result that is not
/// a finite number (x/0, overflow) is NaN; comparisons and crossings with NaN are false (so `not` of one is true).
public struct PreparedExpression: Sendable {
    public let compiled: CompiledExpression
    /// Number of bars.
    public let count: Int
    private let columns: [Column]
    /// Quant indicator calls made while preparing (for tests of sharing).
    let indicatorCalls: Int

    enum Column: Sendable {
        case number([Double])
        case boolean([Bool])
        /// Uses state: evaluated per bar.
        case perBar
    }

    /// Computes every state-free column.
    /// - Throws: `ExpressionError.input` at the first use of a host series that `input` lacks, has the wrong length
    ///   or holds an infinity.
    public init(_ compiled: CompiledExpression, input: ExpressionInput) throws(ExpressionError) {
        let bars = input.bars
        let n = bars.count
        var columns: [Column] = []
        columns.reserveCapacity(compiled.nodes.count)
        var indicators = IndicatorColumns()
        func numbers(_ i: Int) -> [Double] {
            if case .number(let v) = columns[i] { return v }
            preconditionFailure("node \(i) is not a number column")
        }
        func booleans(_ i: Int) -> [Bool] {
            if case .boolean(let v) = columns[i] { return v }
            preconditionFailure("node \(i) is not a true/false column")
        }
        for node in compiled.nodes {
            guard !node.usesState else {
                columns.append(.perBar)
                continue
            }
            switch node.op {
            case .number(let value): columns.append(.number(Array(repeating: value, count: n)))
            case .boolean(let value): columns.append(.boolean(Array(repeating: value, count: n)))
            case .series(let name):
                columns.append(.number(try Self.series(name, input: input, at: node.position)))
            case .state: preconditionFailure("a state variable is per bar")
            case .negate(let o): columns.append(.number(numbers(o).map { -$0 }))
            case .not(let o): columns.append(.boolean(booleans(o).map { !$0 }))
            case .lag(let o, let bars):
                switch columns[o] {
                case .number(let v): columns.append(.number(Self.shift(v, by: bars, fill: .nan)))
                case .boolean(let v): columns.append(.boolean(Self.shift(v, by: bars, fill: false)))
                case .perBar: preconditionFailure("a state-free lag of a state-dependent node")
                }
            case .binary(let op, let l, let r):
                switch op {
                case .and: columns.append(.boolean(zip(booleans(l), booleans(r)).map { $0 && $1 }))
                case .or: columns.append(.boolean(zip(booleans(l), booleans(r)).map { $0 || $1 }))
                case .equal, .notEqual:
                    if case .boolean(let a) = columns[l] {
                        let b = booleans(r)
                        columns.append(.boolean(zip(a, b).map { op == .equal ? $0 == $1 : $0 != $1 }))
                    } else {
                        columns.append(.boolean(zip(numbers(l), numbers(r)).map { Arithmetic.compare(op, $0, $1) }))
                    }
                case .crossesAbove, .crossesBelow, .crosses:
                    let a = numbers(l), b = numbers(r)
                    columns.append(.boolean((0..<n).map { t in
                        t > 0 && Arithmetic.crosses(op, a[t], b[t], a[t - 1], b[t - 1])
                    }))
                case .less, .lessEqual, .greater, .greaterEqual:
                    columns.append(.boolean(zip(numbers(l), numbers(r)).map { Arithmetic.compare(op, $0, $1) }))
                case .plus, .minus, .times, .divide:
                    columns.append(.number(zip(numbers(l), numbers(r)).map { Arithmetic.apply(op, $0, $1) }))
                }
            case .call(let function, let arguments, let periods, let number):
                switch function {
                case .abs: columns.append(.number(numbers(arguments[0]).map { Swift.abs($0) }))
                case .min, .max:
                    columns.append(.number(zip(numbers(arguments[0]), numbers(arguments[1])).map { Arithmetic.extreme(function, $0, $1) }))
                case .between:
                    let x = numbers(arguments[0]), low = numbers(arguments[1]), high = numbers(arguments[2])
                    columns.append(.boolean((0..<n).map { low[$0] <= x[$0] && x[$0] <= high[$0] }))
                default:
                    let series = arguments.first.map { numbers($0) }
                    do {
                        columns.append(.number(try indicators.column(
                            function, seriesNode: arguments.first, series: series, periods: periods, number: number, bars: bars)))
                    } catch {
                        // Periods are checked when compiling and inputs are finite or NaN, so Quant has nothing to refuse.
                        throw ExpressionError(.input, at: node.position, "'\(function.rawValue)' could not be computed: \(error.message)")
                    }
                }
            }
        }
        self.compiled = compiled
        self.count = n
        self.columns = columns
        self.indicatorCalls = indicators.calls
    }

    private static func series(_ name: String, input: ExpressionInput, at position: SourcePosition) throws(ExpressionError) -> [Double] {
        let bars = input.bars
        switch name {
        case "open": return bars.open
        case "high": return bars.high
        case "low": return bars.low
        case "close": return bars.close
        case "volume": return bars.volume
        default: break
        }
        guard let values = input.series[name] ?? input.series.first(where: { $0.key.lowercased() == name.lowercased() })?.value else {
            throw ExpressionError(.input, at: position, "no data for the series '\(name)'")
        }
        guard values.count == bars.count else {
            throw ExpressionError(.input, at: position, "the series '\(name)' has \(values.count) values but there are \(bars.count) bars")
        }
        if let bad = values.firstIndex(where: { $0.isInfinite }) {
            throw ExpressionError(.input, at: position, "the series '\(name)' holds an infinite value at bar \(bad); use NaN for a missing value")
        }
        return values
    }

    private static func shift<T>(_ values: [T], by bars: Int, fill: T) -> [T] {
        guard bars < values.count else { return Array(repeating: fill, count: values.count) }
        return Array(repeating: fill, count: bars) + values[..<(values.count - bars)]
    }

    /// The condition at bar t (0 ≤ t < count); `state` holds the schema's state variables in order.
    /// The expression must be compiled expecting `.boolean`.
    public func bool(at t: Int, state: [Double] = []) -> Bool {
        precondition(compiled.type == .boolean, "bool(at:) on an expression compiled as a number")
        precondition(t >= 0 && t < count, "bar \(t) is outside 0..<\(count)")
        precondition(state.count == compiled.schema.state.count, "state has \(state.count) values, the schema declares \(compiled.schema.state.count)")
        return booleanValue(compiled.root, t, state)
    }

    /// The number at bar t (0 ≤ t < count); NaN where undefined. The expression must be compiled expecting `.number`.
    public func number(at t: Int, state: [Double] = []) -> Double {
        precondition(compiled.type == .number, "number(at:) on an expression compiled as true/false")
        precondition(t >= 0 && t < count, "bar \(t) is outside 0..<\(count)")
        precondition(state.count == compiled.schema.state.count, "state has \(state.count) values, the schema declares \(compiled.schema.state.count)")
        return numberValue(compiled.root, t, state)
    }

    /// Every bar's condition, when the expression uses no state variable (nil otherwise, or for a number expression).
    public var boolColumn: [Bool]? {
        if case .boolean(let values) = columns[compiled.root] { return values }
        return nil
    }

    /// Every bar's number, when the expression uses no state variable (nil otherwise, or for a condition).
    public var numberColumn: [Double]? {
        if case .number(let values) = columns[compiled.root] { return values }
        return nil
    }

    // Per-bar evaluation of the state-dependent part; state-free operands are read from their columns. State
    // variables keep their current value on earlier bars (a lag or crossing of `close - entry_price` compares
    // earlier closes with today's entry price).

    private func numberValue(_ i: Int, _ t: Int, _ state: [Double]) -> Double {
        guard t >= 0 else { return .nan }
        switch columns[i] {
        case .number(let values): return values[t]
        case .boolean: preconditionFailure("node \(i) is true/false")
        case .perBar: break
        }
        switch compiled.nodes[i].op {
        case .state(let slot): return state[slot]
        case .negate(let o): return -numberValue(o, t, state)
        case .lag(let o, let bars): return numberValue(o, t - bars, state)
        case .binary(let op, let l, let r): return Arithmetic.apply(op, numberValue(l, t, state), numberValue(r, t, state))
        case .call(let function, let arguments, _, _):
            switch function {
            case .abs: return Swift.abs(numberValue(arguments[0], t, state))
            default: return Arithmetic.extreme(function, numberValue(arguments[0], t, state), numberValue(arguments[1], t, state))
            }
        default: preconditionFailure("node \(i) has a column")
        }
    }

    private func booleanValue(_ i: Int, _ t: Int, _ state: [Double]) -> Bool {
        guard t >= 0 else { return false }
        switch columns[i] {
        case .boolean(let values): return values[t]
        case .number: preconditionFailure("node \(i) is a number")
        case .perBar: break
        }
        switch compiled.nodes[i].op {
        case .not(let o): return !booleanValue(o, t, state)
        case .lag(let o, let bars): return booleanValue(o, t - bars, state)
        case .binary(let op, let l, let r):
            switch op {
            case .and: return booleanValue(l, t, state) && booleanValue(r, t, state)
            case .or: return booleanValue(l, t, state) || booleanValue(r, t, state)
            case .equal, .notEqual:
                guard compiled.nodes[l].type == .boolean else {
                    return Arithmetic.compare(op, numberValue(l, t, state), numberValue(r, t, state))
                }
                return (booleanValue(l, t, state) == booleanValue(r, t, state)) == (op == .equal)
            case .crossesAbove, .crossesBelow, .crosses:
                return t > 0 && Arithmetic.crosses(
                    op, numberValue(l, t, state), numberValue(r, t, state), numberValue(l, t - 1, state), numberValue(r, t - 1, state))
            default: return Arithmetic.compare(op, numberValue(l, t, state), numberValue(r, t, state))
            }
        case .call(.between, let arguments, _, _):
            let x = numberValue(arguments[0], t, state)
            return numberValue(arguments[1], t, state) <= x && x <= numberValue(arguments[2], t, state)
        default: preconditionFailure("node \(i) has a column")
        }
    }
}

/// The scalar rules shared by column and per-bar evaluation.
enum Arithmetic {
    /// + − × ÷; a result that is not finite (x/0, overflow) is NaN; NaN in, NaN out.
    @inline(__always)
    static func apply(_ op: BinaryOperator, _ a: Double, _ b: Double) -> Double {
        let value: Double
        switch op {
        case .plus: value = a + b
        case .minus: value = a - b
        case .times: value = a * b
        case .divide: value = a / b
        default: preconditionFailure("\(op) is not arithmetic")
        }
        return value.isFinite ? value : .nan
    }

    /// Comparisons of numbers: false when either side is NaN (also for `!=`).
    @inline(__always)
    static func compare(_ op: BinaryOperator, _ a: Double, _ b: Double) -> Bool {
        guard !a.isNaN, !b.isNaN else { return false }
        switch op {
        case .less: return a < b
        case .lessEqual: return a <= b
        case .greater: return a > b
        case .greaterEqual: return a >= b
        case .equal: return a == b
        case .notEqual: return a != b
        default: preconditionFailure("\(op) is not a comparison")
        }
    }

    /// TradingView's crossings on the current bar (a, b) and the bar before (pa, pb):
    /// above ⇔ a > b and pa ≤ pb; below ⇔ a < b and pa ≥ pb; crosses ⇔ either. Any NaN → false.
    @inline(__always)
    static func crosses(_ op: BinaryOperator, _ a: Double, _ b: Double, _ pa: Double, _ pb: Double) -> Bool {
        let above = a > b && pa <= pb, below = a < b && pa >= pb  // NaN makes every comparison false
        switch op {
        case .crossesAbove: return above
        case .crossesBelow: return below
        default: return above || below
        }
    }

    /// min/max with NaN if either side is NaN (unlike Swift.min, which depends on the argument order).
    @inline(__always)
    static func extreme(_ function: Function, _ a: Double, _ b: Double) -> Double {
        guard !a.isNaN, !b.isNaN else { return .nan }
        return function == .min ? Swift.min(a, b) : Swift.max(a, b)
    }
}
