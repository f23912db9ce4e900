/// Recursive-descent parser for the grammar in docs/expressions.md. It only builds a tree: nothing is evaluated,
/// looked up or executed while parsing.
struct Parser {
    /// Longest accepted source, in characters.
    static let maximumLength = 4_096
    /// Deepest accepted nesting of parentheses, call arguments, lag brackets and unary operators.
    static let maximumDepth = 64
    /// Most accepted tree nodes (numbers, names, operators, calls, lags).
    static let maximumNodes = 256
    /// Largest lag `x[n]`.
    static let maximumLag = 10_000

    private let tokens: [Token]
    private var index = 0
    private var depth = 0
    private var nodes = 0

    static func parse(_ source: String) throws(ExpressionError) -> Syntax {
        var length = 0
        var line = 1, column = 1
        for character in source {
            length += 1
            if length > maximumLength {
                throw ExpressionError(
                    .limit, at: SourcePosition(line: line, column: column),
                    "the expression is longer than \(maximumLength) characters")
            }
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        var lexer = Lexer(source)
        var parser = Parser(tokens: try lexer.tokens())
        if case .end = parser.current.kind {
            throw ExpressionError(.syntax, at: parser.current.position, "the expression is empty")
        }
        let tree = try parser.expression()
        guard case .end = parser.current.kind else {
            throw ExpressionError(.syntax, at: parser.current.position, parser.trailingMessage(parser.current))
        }
        return tree
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    private var current: Token { tokens[index] }

    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func isSymbol(_ symbol: Token.Symbol) -> Bool { current.kind == .symbol(symbol) }
    private func isKeyword(_ keyword: Token.Keyword) -> Bool { current.kind == .keyword(keyword) }

    private mutating func node(_ kind: Syntax.Kind, _ position: SourcePosition) throws(ExpressionError) -> Syntax {
        nodes += 1
        if nodes > Self.maximumNodes {
            throw ExpressionError(
                .limit, at: position, "the expression has more than \(Self.maximumNodes) parts (numbers, names, operators and calls)")
        }
        return Syntax(kind: kind, position: position)
    }

    private mutating func enter(_ position: SourcePosition) throws(ExpressionError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw ExpressionError(
                .limit, at: position,
                "the expression nests more than \(Self.maximumDepth) levels deep (parentheses, calls, brackets and unary operators)")
        }
    }

    // expression := or
    private mutating func expression() throws(ExpressionError) -> Syntax { try or() }

    // or := and { "or" and }
    private mutating func or() throws(ExpressionError) -> Syntax {
        var left = try and()
        while isKeyword(.or) {
            let op = advance()
            left = try node(.binary(.or, left, try operand(after: op) { p throws(ExpressionError) in try p.and() }), op.position)
        }
        return left
    }

    // and := not { "and" not }
    private mutating func and() throws(ExpressionError) -> Syntax {
        var left = try not()
        while isKeyword(.and) {
            let op = advance()
            left = try node(.binary(.and, left, try operand(after: op) { p throws(ExpressionError) in try p.not() }), op.position)
        }
        return left
    }

    // not := "not" not | comparison
    private mutating func not() throws(ExpressionError) -> Syntax {
        guard isKeyword(.not) else { return try comparison() }
        let op = advance()
        try enter(op.position)
        let operand = try operand(after: op) { p throws(ExpressionError) in try p.not() }
        depth -= 1
        return try node(.not(operand), op.position)
    }

    // comparison := additive [ comparator additive ]   (comparisons do not chain)
    private mutating func comparison() throws(ExpressionError) -> Syntax {
        let left = try additive()
        guard let op = comparator(current) else { return left }
        let token = advance()
        let right = try operand(after: token) { p throws(ExpressionError) in try p.additive() }
        if comparator(current) != nil {
            throw ExpressionError(
                .syntax, at: current.position,
                "comparisons do not chain: write 'a < b and b < c', or between(x, low, high)")
        }
        return try node(.binary(op, left, right), token.position)
    }

    private func comparator(_ token: Token) -> BinaryOperator? {
        switch token.kind {
        case .symbol(let s):
            switch s {
            case .less: .less
            case .lessEqual: .lessEqual
            case .greater: .greater
            case .greaterEqual: .greaterEqual
            case .equal: .equal
            case .notEqual: .notEqual
            default: nil
            }
        case .keyword(.crossesAbove): .crossesAbove
        case .keyword(.crossesBelow): .crossesBelow
        case .keyword(.crosses): .crosses
        default: nil
        }
    }

    // additive := multiplicative { ("+" | "-") multiplicative }
    private mutating func additive() throws(ExpressionError) -> Syntax {
        var left = try multiplicative()
        while isSymbol(.plus) || isSymbol(.minus) {
            let op = advance()
            let right = try operand(after: op) { p throws(ExpressionError) in try p.multiplicative() }
            left = try node(.binary(op.kind == .symbol(.plus) ? .plus : .minus, left, right), op.position)
        }
        return left
    }

    // multiplicative := unary { ("*" | "/") unary }
    private mutating func multiplicative() throws(ExpressionError) -> Syntax {
        var left = try unary()
        while isSymbol(.times) || isSymbol(.divide) {
            let op = advance()
            let right = try operand(after: op) { p throws(ExpressionError) in try p.unary() }
            left = try node(.binary(op.kind == .symbol(.times) ? .times : .divide, left, right), op.position)
        }
        return left
    }

    // unary := "-" unary | postfix
    private mutating func unary() throws(ExpressionError) -> Syntax {
        guard isSymbol(.minus) else { return try postfix() }
        let op = advance()
        try enter(op.position)
        let operand = try operand(after: op) { p throws(ExpressionError) in try p.unary() }
        depth -= 1
        return try node(.negate(operand), op.position)
    }

    // postfix := primary { "[" integer "]" }
    private mutating func postfix() throws(ExpressionError) -> Syntax {
        var value = try primary()
        while isSymbol(.leftBracket) {
            let open = advance()
            try enter(open.position)
            let bars = current
            guard case .number(let n) = bars.kind, bars.isIntegerLiteral else {
                let what = bars.kind == .symbol(.minus) ? "a negative offset would look into the future" : "found \(bars.described)"
                throw ExpressionError(
                    .syntax, at: bars.position,
                    "a lag x[n] needs a whole number of bars from 0 to \(Self.maximumLag) written as a literal; \(what)")
            }
            guard n <= Double(Self.maximumLag) else {
                throw ExpressionError(.argument, at: bars.position, "a lag x[n] needs n from 0 to \(Self.maximumLag), got \(bars.text)")
            }
            _ = advance()
            try expect(.rightBracket, opening: open)
            depth -= 1
            value = try node(.lag(value, Int(n)), open.position)
        }
        return value
    }

    // primary := number | "true" | "false" | name [ "(" [ expression { "," expression } ] ")" ] | "(" expression ")"
    private mutating func primary() throws(ExpressionError) -> Syntax {
        let token = current
        switch token.kind {
        case .number(let value):
            _ = advance()
            return try node(.number(value, integer: token.isIntegerLiteral), token.position)
        case .keyword(.true), .keyword(.false):
            _ = advance()
            return try node(.boolean(token.kind == .keyword(.true)), token.position)
        case .name(let name):
            _ = advance()
            guard isSymbol(.leftParen) else { return try node(.name(name), token.position) }
            let open = advance()
            try enter(open.position)
            var arguments: [Syntax] = []
            if !isSymbol(.rightParen) {
                arguments.append(try argument(of: token))
                while isSymbol(.comma) {
                    _ = advance()
                    arguments.append(try argument(of: token))
                }
            }
            try expect(.rightParen, opening: open, inCallOf: token.text)
            depth -= 1
            return try node(.call(name, arguments), token.position)
        case .symbol(.leftParen):
            let open = advance()
            try enter(open.position)
            if isSymbol(.rightParen) {
                throw ExpressionError(.syntax, at: current.position, "empty parentheses: expected an expression inside '( )'")
            }
            let inner = try expression()
            try expect(.rightParen, opening: open)
            depth -= 1
            return inner
        default:
            throw ExpressionError(.syntax, at: token.position, "unexpected \(token.described), expected a number, a name or '('")
        }
    }

    private mutating func argument(of function: Token) throws(ExpressionError) -> Syntax {
        if isSymbol(.comma) || isSymbol(.rightParen) {
            throw ExpressionError(.syntax, at: current.position, "unexpected \(current.described) in the call of '\(function.text)', expected an argument")
        }
        return try expression()
    }

    /// Parses the right operand of `op`, naming `op` when the input ends or an operator follows directly.
    private mutating func operand(
        after op: Token, _ parse: (inout Parser) throws(ExpressionError) -> Syntax
    ) throws(ExpressionError) -> Syntax {
        switch current.kind {
        case .end:
            throw ExpressionError(.syntax, at: current.position, "unexpected end of input, expected an operand after '\(op.text)'")
        case .symbol(.rightParen), .symbol(.rightBracket), .symbol(.comma), .keyword(.and), .keyword(.or):
            throw ExpressionError(.syntax, at: current.position, "unexpected \(current.described), expected an operand after '\(op.text)'")
        default:
            return try parse(&self)
        }
    }

    private mutating func expect(
        _ closing: Token.Symbol, opening: Token, inCallOf function: String? = nil
    ) throws(ExpressionError) {
        guard isSymbol(closing) else {
            let context = function.map { " to close the call of '\($0)'" } ?? " to match the '\(opening.text)' at line \(opening.position.line), column \(opening.position.column)"
            let found = current.kind == .end ? "unexpected end of input" : "unexpected \(current.described)"
            let expected = closing == .rightParen && function != nil ? "',' or ')'" : "'\(closing.rawValue)'"
            throw ExpressionError(.syntax, at: current.position, "\(found), expected \(expected)\(context)")
        }
        _ = advance()
    }

    private func trailingMessage(_ token: Token) -> String {
        switch token.kind {
        case .symbol(.rightParen): "unexpected ')' without a matching '('"
        case .symbol(.rightBracket): "unexpected ']' without a matching '['"
        case .name, .number, .symbol(.leftParen), .keyword(.true), .keyword(.false), .keyword(.not):
            "unexpected \(token.described), expected an operator (such as 'and', '>' or '+') or the end of the expression"
        default: "unexpected \(token.described)"
        }
    }
}
