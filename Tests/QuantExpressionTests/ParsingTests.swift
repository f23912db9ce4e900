import Quant
import Testing

@testable import QuantExpression

@Suite("Expression parsing")
struct ParsingTests {
    @Test func arithmeticBindsTighterThanComparisonWhichBindsTighterThanNotAndOr() throws {
        #expect(try grouping("a + b * c") == "(a + (b * c))")
        #expect(try grouping("a * b + c") == "((a * b) + c)")
        #expect(try grouping("a - b - c") == "((a - b) - c)")
        #expect(try grouping("a / b / c") == "((a / b) / c)")
        #expect(try grouping("-a * b") == "((-a) * b)")
        #expect(try grouping("-a[1]") == "(-a[1])")
        #expect(try grouping("a + b > c * d") == "((a + b) > (c * d))")
        #expect(try grouping("a > b and c < d or e == f") == "(((a > b) and (c < d)) or (e == f))")
        #expect(try grouping("a or b and c") == "(a or (b and c))")
        #expect(try grouping("not a > b and c") == "((not (a > b)) and c)")
        #expect(try grouping("not not a") == "(not (not a))")
        #expect(try grouping("a crosses_above b + 1") == "(a crosses_above (b + 1))")
        #expect(try grouping("(a + b) * c") == "((a + b) * c)")
        #expect(try grouping("sma(close - open, 5)[2]") == "sma((close - open), 5)[2]")
        #expect(try grouping("(close - open)[1][2]") == "(close - open)[1][2]")
    }

    @Test func keywordsAndNamesAreCaseInsensitive() throws {
        #expect(try grouping("SMA(Close, 50) CROSSES_ABOVE sma(CLOSE, 200) AND Not TRUE Or false")
            == "(((sma(close, 50) crosses_above sma(close, 200)) and (not true)) or false)")
    }

    @Test func numbersInEveryForm() throws {
        #expect(try grouping("12") == "12")
        #expect(try grouping("0.5") == "0.5")
        #expect(try grouping(".5") == "0.5")
        #expect(try grouping("1e-3") == "0.001")
        #expect(try grouping("2.5E+2") == "250.0")
        #expect(try grouping("5%") == "0.05")
        #expect(try grouping("close < 0.9 * entry_price") == "(close < (0.9 * entry_price))")
    }

    @Test func commentsAndNewlinesAreWhitespace() throws {
        let source = """
            # entry rule
            sma(close, 50)   # fast
              crosses_above  # the TradingView crossing
            sma(close, 200)  # slow
            """
        #expect(try grouping(source) == "(sma(close, 50) crosses_above sma(close, 200))")
    }

    @Test func theBriefsExamplesParse() throws {
        for source in [
            "sma(close, 50) crosses_above sma(close, 200)",
            "rsi(close, 14) > 70 or close < 0.9 * entry_price",
            "rsi(close,14) < 30 and close > sma(close,200) and pe < 15",
            "close crosses bb_upper(close, 20, 2) or change(close, 5) / close[5] > 10%",
        ] {
            _ = try Expression.parse(source)
        }
    }

    @Test func canonicalTextParsesBackToTheSameTree() throws {
        var generator = ExpressionGenerator(random: SplitMix64(seed: 11), stateNames: ["entry_price"], seriesNames: ["pe"])
        for _ in 0..<2_000 {
            let source = generator.condition(depth: 4, stateful: true)
            let parsed = try Expression.parse(source)
            let again = try Expression.parse(parsed.canonical)
            #expect(again.canonical == parsed.canonical, "\(source)")
            #expect(try grouping(parsed.canonical) == grouping(source), "\(source)")
        }
        #expect(try Expression.parse("-(a * b)").canonical == "-(a * b)")
        #expect(try Expression.parse("a - (b - c)").canonical == "a - (b - c)")
        #expect(try Expression.parse("not (a and b)").canonical == "not (a and b)")
        #expect(try Expression.parse("(a > b) == (c > d)").canonical == "(a > b) == (c > d)")
        #expect(try Expression.parse("(close-open)[1]").canonical == "(close - open)[1]")
        #expect(try Expression.parse("SMA( close ,5 ) # c").canonical == "sma(close, 5)")
    }

    @Test func expressionsAreEqualWhenTheirSourcesAre() throws {
        #expect(try Expression.parse("close > 1") == Expression.parse("close > 1"))
        #expect(try Expression.parse("close > 1") != Expression.parse("close>1"))
        #expect(try Set([Expression.parse("close > 1"), Expression.parse("close > 1")]).count == 1)
    }
}
