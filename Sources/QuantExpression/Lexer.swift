/// A token of the expression language.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case number(Double)
        /// An identifier, lower-cased (names are case-insensitive).
        case name(String)
        case keyword(Keyword)
        case symbol(Symbol)
        case end
    }

    enum Keyword: String, Sendable {
        case and, or, not, `true`, `false`
        case crossesAbove = "crosses_above", crossesBelow = "crosses_below", crosses
    }

    enum Symbol: String, Sendable {
        case plus = "+", minus = "-", times = "*", divide = "/"
        case less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">=", equal = "==", notEqual = "!="
        case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]", comma = ","
    }

    let kind: Kind
    /// The text as written (for messages).
    let text: String
    let position: SourcePosition
    /// A number literal written without a fraction, exponent or percent sign (lags and periods need one).
    var isIntegerLiteral = false

    /// How a message names this token: `'sma'`, `')'`, `the number 1.5`, `the end of the input`.
    var described: String {
        switch kind {
        case .end: "end of input"
        case .number: "number \(text)"
        default: "'\(text)'"
        }
    }
}

/// Splits source text into tokens. Whitespace and newlines separate tokens; `#` starts a comment to the end of the
/// line. Numbers: `12`, `0.5`, `.5`, `1e-3`, and a percent sign directly after a number divides it by 100
/// (`5%` = 0.05). Names: ASCII letters, digits and `_`, not starting with a digit, case-insensitive.
struct Lexer {
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ source: String) {
        characters = Array(source)
    }

    mutating func tokens() throws(ExpressionError) -> [Token] {
        var result: [Token] = []
        while true {
            let token = try next()
            result.append(token)
            if token.kind == .end { return result }
        }
    }

    private var current: Character? { index < characters.count ? characters[index] : nil }
    private func peek(_ offset: Int) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private mutating func advance() {
        if characters[index].isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func next() throws(ExpressionError) -> Token {
        skipWhitespaceAndComments()
        let position = SourcePosition(line: line, column: column)
        guard let c = current else { return Token(kind: .end, text: "", position: position) }
        if c.isASCII && (c.isNumber || (c == "." && peek(1)?.isASCIIDigit == true)) { return try number(at: position) }
        if c.isASCII && (c.isLetter || c == "_") { return name(at: position) }
        let two = peek(1).map { String(c) + String($0) } ?? ""
        if let symbol = Token.Symbol(rawValue: two), two.count == 2 {
            advance()
            advance()
            return Token(kind: .symbol(symbol), text: two, position: position)
        }
        if let symbol = Token.Symbol(rawValue: String(c)) {
            advance()
            return Token(kind: .symbol(symbol), text: String(c), position: position)
        }
        let hint: String
        switch two {
        case "&&": hint = " — write 'and'"
        case "||": hint = " — write 'or'"
        default:
            switch c {
            case "=": hint = " — compare with '=='"
            case "!": hint = " — write 'not' to negate, '!=' for not equal"
            case "%": hint = " — '%' must follow a number directly, as in 5%"
            case "\"", "'": hint = " — the language has no text values"
            default: hint = ""
            }
        }
        throw ExpressionError(.syntax, at: position, "unexpected character '\(c)'\(hint)")
    }

    private mutating func skipWhitespaceAndComments() {
        while let c = current {
            if c == "#" {
                while let d = current, !d.isNewline { advance() }
            } else if c.isWhitespace {
                advance()
            } else {
                return
            }
        }
    }

    private mutating func number(at position: SourcePosition) throws(ExpressionError) -> Token {
        var text = ""
        var integer = true
        func digits(_ lexer: inout Lexer, into text: inout String) {
            while let d = lexer.current, d.isASCIIDigit {
                text.append(d)
                lexer.advance()
            }
        }
        digits(&self, into: &text)
        if current == ".", peek(1)?.isASCIIDigit == true {
            integer = false
            text.append(".")
            advance()
            digits(&self, into: &text)
        }
        if let e = current, e == "e" || e == "E" {
            let sign = peek(1)
            let digitOffset = (sign == "+" || sign == "-") ? 2 : 1
            guard peek(digitOffset)?.isASCIIDigit == true else {
                throw ExpressionError(.syntax, at: position, "malformed number '\(text)\(e)': an exponent needs digits, as in 1e-3")
            }
            integer = false
            for _ in 0..<digitOffset {
                text.append(current!)
                advance()
            }
            digits(&self, into: &text)
        }
        guard var value = Double(text), value.isFinite else {
            throw ExpressionError(.syntax, at: position, "number '\(text)' is too large")
        }
        if current == "%" {
            integer = false
            text.append("%")
            advance()
            value /= 100
        }
        if let c = current, c.isASCII, c.isLetter || c == "_" {
            throw ExpressionError(
                .syntax, at: SourcePosition(line: line, column: column), "unexpected '\(c)' after the number \(text) — put an operator or a space between them")
        }
        var token = Token(kind: .number(value), text: text, position: position)
        token.isIntegerLiteral = integer
        return token
    }

    private mutating func name(at position: SourcePosition) -> Token {
        var text = ""
        while let c = current, c.isASCII, c.isLetter || c.isNumber || c == "_" {
            text.append(c)
            advance()
        }
        let lower = text.lowercased()
        if let keyword = Token.Keyword(rawValue: lower) { return Token(kind: .keyword(keyword), text: text, position: position) }
        return Token(kind: .name(lower), text: text, position: position)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
