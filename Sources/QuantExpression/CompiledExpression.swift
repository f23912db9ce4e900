/// An expression type-checked against a schema and lowered to a graph in which identical sub-expressions are one
/// node (`sma(close, 50)` written twice is computed once).
public struct CompiledExpression: Sendable {
    public let expression: Expression
    public let schema: ExpressionSchema
    /// The type the expression gives (the one the host asked for).
    public let type: ExpressionType
    /// Whether any state variable is used: then only per-bar evaluation is possible, with the state passed in.
    public let usesState: Bool
    /// Bars of history needed before the value is defined: the sum of the warm-ups and lags along the longest
    /// chain (for example 199 for `sma(close, 200)`, 200 for `sma(close, 50) crosses_above sma(close, 200)`
    /// because a crossing also reads the bar before). A host fetches this many bars before the first bar it wants
    /// values for. With inputs that stay defined (no division by zero, no missing host values) the value is
    /// defined on every bar from this index on.
    public let maximumLookback: Int
    /// The indicator functions used (not the element-wise helpers abs, min, max, between), sorted, each once.
    public let indicatorNames: [String]

    let nodes: [Node]
    let root: Int

    /// Type-checks `expression` against `schema` and checks that it gives `expecting`.
    /// - Throws: `ExpressionError` (`.unknownName`, `.argument` or `.type`) at the offending name, argument or
    ///   operator.
    public init(_ expression: Expression, schema: ExpressionSchema, expecting: ExpressionType) throws(ExpressionError) {
        var builder = GraphBuilder(schema: schema)
        let root = try builder.lower(expression.syntax)
        let result = builder.nodes[root]
        guard result.type == expecting else {
            let message = expecting == .boolean
                ? "the expression gives a number, but a condition (true/false) is expected here, for example 'rsi(close, 14) < 30'"
                : "the expression gives true/false, but a number is expected here"
            throw ExpressionError(.type, at: expression.syntax.start, message)
        }
        self.expression = expression
        self.schema = schema
        self.type = expecting
        self.nodes = builder.nodes
        self.root = root
        self.usesState = result.usesState
        self.maximumLookback = result.lookback
        self.indicatorNames = Array(Set(builder.nodes.compactMap { node -> String? in
            if case .call(let function, _, _, _) = node.op, !function.isElementwise { return function.rawValue }
            return nil
        })).sorted()
    }

    /// Number of distinct computations (for tests of sub-expression sharing).
    var nodeCount: Int { nodes.count }
}

/// One computation of the graph. Operands are indices of earlier nodes.
struct Node: Sendable {
    enum Op: Hashable, Sendable {
        case number(Double)
        case boolean(Bool)
        /// A bar column or a host series, by the name used in `ExpressionInput`.
        case series(String)
        case state(Int)
        case negate(Int)
        case not(Int)
        case binary(BinaryOperator, Int, Int)
        /// The operand `n` bars ago (n ≥ 1).
        case lag(Int, Int)
        /// A function: series arguments (node indices), period parameters, and the number parameter if any.
        case call(Function, [Int], [Int], Double?)
    }

    let op: Op
    let type: ExpressionType
    let usesState: Bool
    let lookback: Int
    /// Where the computation first appears in the source (for errors raised when data arrives).
    let position: SourcePosition
}

/// Type-checks a syntax tree and builds the shared graph.
struct GraphBuilder {
    let schema: ExpressionSchema
    var nodes: [Node] = []
    private var index: [Node.Op: Int] = [:]

    init(schema: ExpressionSchema) {
        self.schema = schema
    }

    private mutating func add(
        _ op: Node.Op, _ type: ExpressionType, usesState: Bool, lookback: Int, at position: SourcePosition
    ) -> Int {
        if let existing = index[op] { return existing }
        nodes.append(Node(op: op, type: type, usesState: usesState, lookback: lookback, position: position))
        index[op] = nodes.count - 1
        return nodes.count - 1
    }

    mutating func lower(_ syntax: Syntax) throws(ExpressionError) -> Int {
        let at = syntax.position
        switch syntax.kind {
        case .number(let value, _):
            return add(.number(value), .number, usesState: false, lookback: 0, at: at)
        case .boolean(let value):
            return add(.boolean(value), .boolean, usesState: false, lookback: 0, at: at)
        case .name(let name):
            switch schema.binding(of: name) {
            case .series(let column): return add(.series(column), .number, usesState: false, lookback: 0, at: at)
            case .state(let slot): return add(.state(slot), .number, usesState: true, lookback: 0, at: at)
            case nil: throw unknownName(name, at: at)
            }
        case .negate(let operand):
            let o = try lower(operand)
            guard nodes[o].type == .number else {
                throw ExpressionError(.type, at: at, "'-' needs a number; its operand is true/false")
            }
            return add(.negate(o), .number, usesState: nodes[o].usesState, lookback: nodes[o].lookback, at: at)
        case .not(let operand):
            let o = try lower(operand)
            guard nodes[o].type == .boolean else {
                throw ExpressionError(.type, at: at, "'not' needs true/false; its operand is a number (compare it, e.g. 'x > 0')")
            }
            return add(.not(o), .boolean, usesState: nodes[o].usesState, lookback: nodes[o].lookback, at: at)
        case .binary(let op, let left, let right):
            return try binary(op, left, right, at: at)
        case .lag(let operand, let bars):
            let o = try lower(operand)
            guard bars > 0 else { return o }
            var base = o, total = bars
            if case .lag(let inner, let innerBars) = nodes[o].op {
                base = inner
                total += innerBars
            }
            let n = nodes[base]
            return add(.lag(base, total), n.type, usesState: n.usesState, lookback: n.lookback + total, at: at)
        case .call(let name, let arguments):
            return try call(name, arguments, at: at)
        }
    }

    private mutating func binary(_ op: BinaryOperator, _ left: Syntax, _ right: Syntax, at: SourcePosition) throws(ExpressionError) -> Int {
        let l = try lower(left), r = try lower(right)
        let lt = nodes[l].type, rt = nodes[r].type
        let result: ExpressionType
        switch op {
        case .and, .or:
            if lt != .boolean || rt != .boolean {
                let side = lt != .boolean ? "left" : "right"
                throw ExpressionError(.type, at: at, "'\(op.rawValue)' needs true/false on both sides; the \(side) side is a number")
            }
            result = .boolean
        case .equal, .notEqual:
            if lt != rt {
                throw ExpressionError(
                    .type, at: at,
                    "'\(op.rawValue)' compares two numbers or two true/false values; the left side is \(lt.described) and the right side \(rt.described)")
            }
            result = .boolean
        case .plus, .minus, .times, .divide, .less, .lessEqual, .greater, .greaterEqual, .crossesAbove, .crossesBelow, .crosses:
            if lt != .number || rt != .number {
                let side = lt != .number ? "left" : "right"
                throw ExpressionError(.type, at: at, "'\(op.rawValue)' needs numbers on both sides; the \(side) side is true/false")
            }
            result = op.isComparison ? .boolean : .number
        }
        let lookback = max(nodes[l].lookback, nodes[r].lookback) + (op.isCrossing ? 1 : 0)
        return add(.binary(op, l, r), result, usesState: nodes[l].usesState || nodes[r].usesState, lookback: lookback, at: at)
    }

    private mutating func call(_ name: String, _ arguments: [Syntax], at: SourcePosition) throws(ExpressionError) -> Int {
        guard let function = Function(rawValue: name) else {
            if schema.binding(of: name) != nil {
                throw ExpressionError(.unknownName, at: at, "'\(name)' is a series, not a function: write it without parentheses")
            }
            let hint = Function.suggestion(for: name, among: Function.allCases.map(\.rawValue)).map { " — did you mean '\($0)'?" } ?? ""
            throw ExpressionError(.unknownName, at: at, "unknown function '\(name)'\(hint)")
        }
        let parameters = function.parameters
        guard arguments.count == parameters.count else {
            let expected = parameters.isEmpty
                ? "no arguments" : "\(parameters.count) argument\(parameters.count == 1 ? "" : "s") \(function.signature)"
            throw ExpressionError(.argument, at: at, "'\(name)' expects \(expected), got \(arguments.count)")
        }
        var series: [Int] = [], periods: [Int] = [], number: Double?
        for (parameter, argument) in zip(parameters, arguments) {
            switch parameter {
            case .series(let label):
                let node = try lower(argument)
                guard nodes[node].type == .number else {
                    throw ExpressionError(
                        .type, at: argument.start, "the \(label) argument of '\(name)' must be a number; it is true/false")
                }
                if nodes[node].usesState && !function.isElementwise {
                    throw ExpressionError(
                        .argument, at: argument.start,
                        "the \(label) argument of '\(name)' cannot use a state variable: an indicator needs the series' past values")
                }
                series.append(node)
            case .period(let label, let range):
                guard case .number(let value, integer: true) = argument.kind, value >= Double(range.lowerBound),
                    value <= Double(range.upperBound)
                else {
                    throw ExpressionError(
                        .argument, at: argument.start,
                        "\(label) must be an integer literal between \(range.lowerBound) and \(range.upperBound) (argument \(periods.count + series.count + 1) of '\(name)' is '\(argument.canonical)')")
                }
                periods.append(Int(value))
            case .number(let label, let range):
                var value: Double?
                switch argument.kind {
                case .number(let v, _): value = v
                case .negate(let inner): if case .number(let v, _) = inner.kind { value = -v }
                default: break
                }
                guard let value, range.contains(value) else {
                    throw ExpressionError(
                        .argument, at: argument.start,
                        "\(label) must be a number literal between \(Syntax.format(range.lowerBound, integer: true)) and \(Syntax.format(range.upperBound, integer: true)) (got '\(argument.canonical)' in '\(name)')")
                }
                number = value
            }
        }
        if let problem = function.checkParameters(periods) {
            throw ExpressionError(.argument, at: at, "'\(name)': \(problem)")
        }
        let inputLookback = series.map { nodes[$0].lookback }.max() ?? 0
        let usesState = series.contains { nodes[$0].usesState }
        return add(
            .call(function, series, periods, number), function.resultType, usesState: usesState,
            lookback: inputLookback + function.warmUp(periods), at: at)
    }

    private func unknownName(_ name: String, at: SourcePosition) -> ExpressionError {
        if let function = Function(rawValue: name) {
            let call = function.parameters.isEmpty ? "\(name)()" : "\(name)\(function.signature)"
            return ExpressionError(.unknownName, at: at, "'\(name)' is a function: call it as \(call)")
        }
        var message = "unknown name '\(name)'"
        if let close = Function.suggestion(for: name, among: schema.allNames) {
            message += " — did you mean '\(close)'?"
        } else {
            message += "; the series are " + (ExpressionSchema.barSeries + schema.series).joined(separator: ", ")
            if !schema.state.isEmpty { message += " and the state variables " + schema.state.joined(separator: ", ") }
        }
        return ExpressionError(.unknownName, at: at, message)
    }
}
