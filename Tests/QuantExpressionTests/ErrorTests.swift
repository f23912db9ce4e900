import Quant
import Testing

@testable import QuantExpression

/// Every kind of error, with the line and column it points at and a message that says what was expected.
@Suite("Expression errors")
struct ErrorTests {
    let schema = ExpressionSchema(series: ["pe"], state: ["entry_price", "bars_held"])

    private func error(_ source: String, expecting type: ExpressionType = .boolean) -> ExpressionError? {
        do {
            _ = try CompiledExpression(Expression.parse(source), schema: schema, expecting: type)
            return nil
        } catch {
            return error
        }
    }

    private func expectError(
        _ source: String, _ kind: ExpressionError.Kind, line: Int = 1, column: Int, _ message: String,
        expecting type: ExpressionType = .boolean, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let expected = ExpressionError(kind, line: line, column: column, message)
        #expect(error(source, expecting: type) == expected, sourceLocation: sourceLocation)
    }

    @Test func syntaxErrorsPointAtTheOffendingToken() {
        expectError("sma(close, 50", .syntax, column: 14, "unexpected end of input, expected ',' or ')' to close the call of 'sma'")
        expectError("(close > 1", .syntax, column: 11, "unexpected end of input, expected ')' to match the '(' at line 1, column 1")
        expectError("close >", .syntax, column: 8, "unexpected end of input, expected an operand after '>'")
        expectError("close > 1)", .syntax, column: 10, "unexpected ')' without a matching '('")
        expectError("close open", .syntax, column: 7, "unexpected 'open', expected an operator (such as 'and', '>' or '+') or the end of the expression")
        expectError("close = 1", .syntax, column: 7, "unexpected character '=' — compare with '=='")
        expectError("close > 1 && open > 1", .syntax, column: 11, "unexpected character '&' — write 'and'")
        expectError("close $ 1", .syntax, column: 7, "unexpected character '$'")
        expectError("1 < close < 2", .syntax, column: 11, "comparisons do not chain: write 'a < b and b < c', or between(x, low, high)")
        expectError("", .syntax, column: 1, "the expression is empty")
        expectError("  # only a comment", .syntax, column: 19, "the expression is empty")
        expectError("sma(close,, 5)", .syntax, column: 11, "unexpected ',' in the call of 'sma', expected an argument")
        expectError("close > * 2", .syntax, column: 9, "unexpected '*', expected a number, a name or '('")
        expectError("()", .syntax, column: 2, "empty parentheses: expected an expression inside '( )'")
        expectError("1e", .syntax, column: 1, "malformed number '1e': an exponent needs digits, as in 1e-3")
        expectError("2close > 1", .syntax, column: 2, "unexpected 'c' after the number 2 — put an operator or a space between them")
        expectError("close > 1e400", .syntax, column: 9, "number '1e400' is too large")
    }

    @Test func errorsOnLaterLinesCountLinesAndColumns() {
        expectError("rsi(close, 14) < 30\n  and close > sma(close, 200)\n  and pe <", .syntax, line: 3, column: 11,
            "unexpected end of input, expected an operand after '<'")
        expectError("close > 1 and\n\tsmaa(close, 5) > 1", .unknownName, line: 2, column: 2, "unknown function 'smaa' — did you mean 'sma'?")
    }

    @Test func lagsMustBeNonNegativeIntegerLiterals() {
        let rule = "a lag x[n] needs a whole number of bars from 0 to 10000 written as a literal; "
        expectError("close[-1] > 1", .syntax, column: 7, rule + "a negative offset would look into the future")
        expectError("close[bars_held] > 1", .syntax, column: 7, rule + "found 'bars_held'")
        expectError("close[1.5] > 1", .syntax, column: 7, rule + "found number 1.5")
        expectError("close[20000] > 1", .argument, column: 7, "a lag x[n] needs n from 0 to 10000, got 20000")
        expectError("close[1 > 1", .syntax, column: 9, "unexpected '>', expected ']' to match the '[' at line 1, column 6")
    }

    @Test func namesAndFunctionsMustExist() {
        expectError("smaa(close, 5) > 1", .unknownName, column: 1, "unknown function 'smaa' — did you mean 'sma'?")
        expectError("frobnicate(close) > 1", .unknownName, column: 1, "unknown function 'frobnicate'")
        expectError("clsoe > 1", .unknownName, column: 1, "unknown name 'clsoe' — did you mean 'close'?")
        expectError("entry_prce > 1", .unknownName, column: 1, "unknown name 'entry_prce' — did you mean 'entry_price'?")
        expectError("dividend_yield > 1", .unknownName, column: 1,
            "unknown name 'dividend_yield'; the series are open, high, low, close, volume, pe and the state variables entry_price, bars_held")
        expectError("sma > 1", .unknownName, column: 1, "'sma' is a function: call it as sma(series, period)")
        expectError("obv > 1", .unknownName, column: 1, "'obv' is a function: call it as obv()")
        expectError("close(5) > 1", .unknownName, column: 1, "'close' is a series, not a function: write it without parentheses")
    }

    @Test func argumentsAreCountedAndRangeChecked() {
        expectError("rsi(close, 14, 2) > 70", .argument, column: 1, "'rsi' expects 2 arguments (series, period), got 3")
        expectError("atr() > 1", .argument, column: 1, "'atr' expects 1 argument (period), got 0")
        expectError("obv(close) > 1", .argument, column: 1, "'obv' expects no arguments, got 1")
        expectError("sma(close, 0) > 1", .argument, column: 12,
            "period must be an integer literal between 1 and 10000 (argument 2 of 'sma' is '0')")
        expectError("sma(close, 20000) > 1", .argument, column: 12,
            "period must be an integer literal between 1 and 10000 (argument 2 of 'sma' is '20000')")
        expectError("sma(close, 2.5) > 1", .argument, column: 12,
            "period must be an integer literal between 1 and 10000 (argument 2 of 'sma' is '2.5')")
        expectError("sma(close, bars_held) > 1", .argument, column: 12,
            "period must be an integer literal between 1 and 10000 (argument 2 of 'sma' is 'bars_held')")
        expectError("macd(close, 26, 12, 9) > 0", .argument, column: 1, "'macd': the slow period (12) must be greater than the fast period (26)")
        expectError("bb_upper(close, 20, -1) > 0", .argument, column: 21,
            "deviations must be a number literal between 0 and 10 (got '-1' in 'bb_upper')")
        expectError("sma(close > 1, 5) > 1", .type, column: 5, "the series argument of 'sma' must be a number; it is true/false")
        expectError("sma(close - entry_price, 5) > 1", .argument, column: 5,
            "the series argument of 'sma' cannot use a state variable: an indicator needs the series' past values")
    }

    @Test func operatorsCheckTheirOperandTypes() {
        expectError("close and open > 1", .type, column: 7, "'and' needs true/false on both sides; the left side is a number")
        expectError("close > 1 or open", .type, column: 11, "'or' needs true/false on both sides; the right side is a number")
        expectError("not close", .type, column: 1, "'not' needs true/false; its operand is a number (compare it, e.g. 'x > 0')")
        expectError("(close > 1) + 1 > 0", .type, column: 13, "'+' needs numbers on both sides; the left side is true/false")
        expectError("close > (open > 1)", .type, column: 7, "'>' needs numbers on both sides; the right side is true/false")
        expectError("-(close > 1)", .type, column: 1, "'-' needs a number; its operand is true/false")
        expectError("(close > 1) == 1", .type, column: 13,
            "'==' compares two numbers or two true/false values; the left side is true/false and the right side a number")
        expectError("true crosses_above false", .type, column: 6, "'crosses_above' needs numbers on both sides; the left side is true/false")
    }

    @Test func theResultTypeIsTheOneTheHostAsked() {
        expectError("sma(close, 5)", .type, column: 1,
            "the expression gives a number, but a condition (true/false) is expected here, for example 'rsi(close, 14) < 30'")
        expectError("close > 1", .type, column: 1, "the expression gives true/false, but a number is expected here", expecting: .number)
    }

    @Test func missingOrMisalignedHostSeriesAreInputErrors() throws {
        let bars = try PriceFixture.flat([1, 2, 3])
        let compiled = try CompiledExpression(Expression.parse("close > 1 and\n pe < 15"), schema: schema, expecting: .boolean)
        func failure(_ series: [String: [Double]]) -> ExpressionError? {
            do {
                _ = try PreparedExpression(compiled, input: ExpressionInput(bars: bars, series: series))
                return nil
            } catch { return error }
        }
        #expect(failure([:]) == ExpressionError(.input, line: 2, column: 2, "no data for the series 'pe'"))
        #expect(failure(["pe": [1, 2]]) == ExpressionError(.input, line: 2, column: 2, "the series 'pe' has 2 values but there are 3 bars"))
        #expect(failure(["pe": [1, .infinity, 2]])
            == ExpressionError(.input, line: 2, column: 2, "the series 'pe' holds an infinite value at bar 1; use NaN for a missing value"))
        #expect(failure(["PE": [1, 20, 2]]) == nil)
    }

    @Test func descriptionNamesLineAndColumn() {
        #expect(ExpressionError(.syntax, line: 2, column: 7, "unexpected ')'").description == "line 2, column 7: unexpected ')'")
    }
}
