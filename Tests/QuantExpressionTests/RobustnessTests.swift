import Foundation
import Quant
import Testing

@testable import QuantExpression

/// Size limits and a fuzz test: what users type into a form must never crash the parser or the evaluator.
@Suite("Expression limits and fuzzing")
struct RobustnessTests {
    private func parseError(_ source: String) -> ExpressionError? {
        do {
            _ = try Expression.parse(source)
            return nil
        } catch { return error }
    }

    @Test func sourcesOverFourThousandNinetySixCharactersAreRefused() {
        let fits = "close > 1" + String(repeating: " ", count: 4_096 - 9)
        #expect(fits.count == 4_096)
        #expect(parseError(fits) == nil)
        #expect(parseError(fits + " ") == ExpressionError(.limit, line: 1, column: 4_097, "the expression is longer than 4096 characters"))
        let huge = String(repeating: "close > 1 or\n", count: 100_000)
        // 13 characters a line: character 4,097 is the second of line 316
        #expect(parseError(huge) == ExpressionError(.limit, line: 316, column: 2, "the expression is longer than 4096 characters"))
    }

    @Test func nestingDeeperThanSixtyFourLevelsIsRefused() {
        let depthMessage = "the expression nests more than 64 levels deep (parentheses, calls, brackets and unary operators)"
        func parens(_ n: Int) -> String { String(repeating: "(", count: n) + "close" + String(repeating: ")", count: n) + " > 1" }
        #expect(parseError(parens(64)) == nil)
        #expect(parseError(parens(65)) == ExpressionError(.limit, line: 1, column: 65, depthMessage))
        #expect(parseError(String(repeating: "(", count: 4_000)) == ExpressionError(.limit, line: 1, column: 65, depthMessage))
        #expect(parseError(String(repeating: "not ", count: 65) + "true") == ExpressionError(.limit, line: 1, column: 257, depthMessage))
        #expect(parseError(String(repeating: "-", count: 64) + "close > 1") == nil)
        #expect(parseError(String(repeating: "-", count: 65) + "close > 1") == ExpressionError(.limit, line: 1, column: 65, depthMessage))
        let calls = String(repeating: "sma(", count: 65) + "close" + String(repeating: ", 2)", count: 65)
        #expect(parseError(calls) == ExpressionError(.limit, line: 1, column: 4 * 64 + 4, depthMessage))
    }

    @Test func moreThanTwoHundredFiftySixPartsAreRefused() throws {
        // n names joined by '+' are 2n − 1 nodes; with '> 0' two more.
        func sum(_ n: Int) -> String { Array(repeating: "close", count: n).joined(separator: " + ") + " > 0" }
        #expect(parseError(sum(127)) == nil)  // 255 nodes
        let error = parseError(sum(128))  // 257 nodes: the comparison, after 127 "close + " and "close ", is one too many
        #expect(error == ExpressionError(.limit, line: 1, column: 127 * 8 + 7, "the expression has more than 256 parts (numbers, names, operators and calls)"))
        // a long flat chain stays within the limits of the later passes (no deep recursion)
        let bars = try? PriceFixture.flat([1, 2, 3])
        #expect(try prepare(sum(127), bars: #require(bars)).boolColumn == [true, true, true])
    }

    /// 100,000 inputs: random strings over the language's characters and mutations of valid expressions.
    /// Each either parses (and then compiles, prepares and evaluates without trapping, or gives an error) or gives
    /// an error whose position is inside the source: an existing line, and a column at most one past its end.
    @Test func randomAndMutatedInputsNeverCrashAndErrorsPointIntoTheSource() throws {
        var random = SplitMix64(seed: 2_026)
        var generator = ExpressionGenerator(random: SplitMix64(seed: 99), stateNames: ["entry_price"], seriesNames: ["pe"])
        let schema = ExpressionSchema(series: ["pe"], state: ["entry_price"])
        let bars = try PriceFixture.bars(limit: 40)
        let input = ExpressionInput(bars: bars, series: ["pe": (0..<40).map { $0 % 7 == 3 ? .nan : Double($0) }])
        let alphabet = Array("abcdeghilmnorstuvwxyz_ABCSR0123456789.e%+-*/<>=!()[],# \n\t\r\"'&|$é😀")
        let words = [
            "sma(", "close", "and ", "or ", "not ", "crosses_above", "crosses", "rsi(close, 14)", "[1]", "[-1]", ")", "(",
            ",", "1e", "5%", "entry_price", "pe", "macd(close, 12, 26, 9)", "between(", "obv()", "#", "\n", "true", "false",
        ]
        var parsed = 0, compiled = 0
        for i in 0..<100_000 {
            var source: String
            if i % 2 == 0 {
                source = ""
                for _ in 0..<Int.random(in: 0...40, using: &random) {
                    source += Bool.random(using: &random) ? String(alphabet.randomElement(using: &random)!) : words.randomElement(using: &random)!
                }
            } else {
                var characters = Array(i % 4 == 1 ? generator.condition(depth: 3, stateful: true) : generator.number(depth: 3, stateful: true))
                for _ in 0..<Int.random(in: 1...3, using: &random) where !characters.isEmpty {
                    let at = Int.random(in: 0..<characters.count, using: &random)
                    switch Int.random(in: 0...3, using: &random) {
                    case 0: characters.remove(at: at)
                    case 1: characters.insert(alphabet.randomElement(using: &random)!, at: at)
                    case 2: characters[at] = alphabet.randomElement(using: &random)!
                    default: characters.insert(contentsOf: characters[at...].prefix(6), at: at)
                    }
                }
                source = String(characters)
            }
            do {
                let expression = try Expression.parse(source)
                parsed += 1
                for type in [ExpressionType.boolean, .number] {
                    guard let program = try? CompiledExpression(expression, schema: schema, expecting: type) else { continue }
                    compiled += 1
                    let prepared = try PreparedExpression(program, input: input)
                    for t in [0, 1, 39] {
                        if type == .boolean { _ = prepared.bool(at: t, state: [10]) } else { _ = prepared.number(at: t, state: [10]) }
                    }
                }
                _ = try CompiledExpression(expression, schema: schema, expecting: .boolean)
            } catch {
                let lines = source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                let inside = error.line >= 1 && error.line <= lines.count && error.column >= 1
                    && error.column <= lines[error.line - 1].count + 1
                #expect(inside, "\(error) for \(source.debugDescription)")
                #expect(!error.message.isEmpty)
                if !inside { break }
            }
        }
        // The corpus reaches the later stages, not only the tokenizer.
        #expect(parsed > 10_000)
        #expect(compiled > 1_000)
    }
}
