/// What an expression gives on each bar.
public enum ExpressionType: String, Sendable, Hashable {
    /// A number series (prices, indicator values, arithmetic); NaN where it is not defined yet.
    case number
    /// A true/false series (comparisons, crossings, `and`/`or`/`not`).
    case boolean

    /// How messages name the type.
    var described: String { self == .number ? "a number" : "true/false" }
}

/// The names an expression may use besides the functions.
///
/// `open`, `high`, `low`, `close` and `volume` are always series. The host declares extra series (columns aligned with
/// the bars, e.g. `pe`, supplied in `ExpressionInput.series`) and state variables (one number per evaluation, e.g.
/// `entry_price`, `bars_held`, `position`, passed to `PreparedExpression.bool(at:state:)` in this order).
/// Names are matched case-insensitively; a name that is declared twice keeps its first meaning (series first).
public struct ExpressionSchema: Sendable, Hashable {
    public static let barSeries = ["open", "high", "low", "close", "volume"]

    /// Extra series, as the host spells them (the key used in `ExpressionInput.series`).
    public let series: [String]
    /// State variables, in the order of the `state` arrays.
    public let state: [String]

    public init(series: [String] = [], state: [String] = []) {
        self.series = series
        self.state = state
    }

    /// What a lower-cased name refers to.
    enum Binding: Equatable {
        case series(String)
        case state(Int)
    }

    func binding(of name: String) -> Binding? {
        if Self.barSeries.contains(name) { return .series(name) }
        if let host = series.first(where: { $0.lowercased() == name }) { return .series(host) }
        if let index = state.firstIndex(where: { $0.lowercased() == name }) { return .state(index) }
        return nil
    }

    var allNames: [String] { Self.barSeries + series.map { $0.lowercased() } + state.map { $0.lowercased() } }
}

/// A parsed (not yet type-checked) expression. Parsing only builds a syntax tree: it never evaluates or executes
/// anything, and it refuses sources over 4,096 characters, nesting over 64 levels and more than 256 parts.
///
/// Two expressions are equal when their sources are equal.
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    let syntax: Syntax

    /// Parses `source` (grammar in docs/expressions.md).
    /// - Throws: `ExpressionError` (`.syntax` or `.limit`) with the line and column of the first problem.
    public static func parse(_ source: String) throws(ExpressionError) -> Expression {
        Expression(source: source, syntax: try Parser.parse(source))
    }

    /// The canonical text: lower-case names, one space around binary operators, `, ` between arguments, percentages
    /// as fractions, no comments and only the parentheses precedence needs. Parsing it gives the same expression.
    public var canonical: String { syntax.canonical }

    public var description: String { canonical }

    public static func == (a: Expression, b: Expression) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
