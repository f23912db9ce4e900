/// The parsed form of an expression: a tree of nodes, each with the position of its operator or first token.
struct Syntax: Hashable, Sendable {
    indirect enum Kind: Hashable, Sendable {
        /// A number literal; `integer` when written without fraction, exponent or percent sign.
        case number(Double, integer: Bool)
        case boolean(Bool)
        /// A series or state variable, lower-cased.
        case name(String)
        case negate(Syntax)
        case not(Syntax)
        case binary(BinaryOperator, Syntax, Syntax)
        /// A function call, the name lower-cased.
        case call(String, [Syntax])
        /// `x[n]`: x n bars ago.
        case lag(Syntax, Int)
    }

    var kind: Kind
    var position: SourcePosition
}

/// Binary operators from the loosest to the tightest binding.
enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case or, and
    case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equal = "==", notEqual = "!="
    case crossesAbove = "crosses_above", crossesBelow = "crosses_below", crosses
    case plus = "+", minus = "-", times = "*", divide = "/"

    /// Binding strength: or 1, and 2, (not 3), comparisons 4, + − 5, * / 6, (unary − 7).
    var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual, .crossesAbove, .crossesBelow, .crosses: 4
        case .plus, .minus: 5
        case .times, .divide: 6
        }
    }

    var isComparison: Bool { precedence == 4 }
    var isCrossing: Bool { self == .crossesAbove || self == .crossesBelow || self == .crosses }
}

extension Syntax {
    /// Where the node's text begins (its leftmost token); `position` is its operator's.
    var start: SourcePosition {
        switch kind {
        case .binary(_, let left, _): left.start
        case .lag(let operand, _): operand.start
        default: position
        }
    }

    /// Precedence of the node as an operand: binary operators their own, `not` 3, unary minus 7, atoms 8.
    var precedence: Int {
        switch kind {
        case .binary(let op, _, _): op.precedence
        case .not: 3
        case .negate: 7
        default: 8
        }
    }

    /// The canonical text: lower-case names, single spaces around binary operators, `, ` between arguments,
    /// numbers in their shortest form (percentages as fractions) and only the parentheses precedence needs.
    /// Parsing it gives the same tree (positions aside), and printing that gives the same text.
    var canonical: String {
        switch kind {
        case .number(let value, let integer): Self.format(value, integer: integer)
        case .boolean(let value): value ? "true" : "false"
        case .name(let name): name
        case .negate(let operand): "-" + operand.wrapped(below: 7)
        case .not(let operand): "not " + operand.wrapped(below: 3)
        case .binary(let op, let left, let right):
            // Left-associative: a right operand of the same precedence needs parentheses; comparisons do not chain.
            left.wrapped(below: op.isComparison ? 5 : op.precedence) + " \(op.rawValue) "
                + right.wrapped(below: op.precedence + 1)
        case .call(let name, let arguments): name + "(" + arguments.map(\.canonical).joined(separator: ", ") + ")"
        case .lag(let operand, let bars): operand.wrapped(below: 8) + "[\(bars)]"
        }
    }

    private func wrapped(below minimum: Int) -> String {
        precedence < minimum ? "(" + canonical + ")" : canonical
    }

    /// Literals are never negative (a minus sign is an operator); an integer literal prints without a fraction.
    static func format(_ value: Double, integer: Bool) -> String {
        if integer, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
