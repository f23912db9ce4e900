import Foundation
import Quant
import ServiceKit
import Testing
@testable import Strategy

@Suite("Strategy definitions and settings")
struct StrategyFactoryTests {
    /// A built-in with a parameter out of range is refused, naming the parameter.
    @Test func aBuiltInParameterOutOfRangeIsNamed() {
        let d = StrategyDefinition(type: .builtin, builtin: "sma-cross", parameters: ["fast": 0], rules: nil, symbols: ["ORCL"], weights: nil)
        let errors = StrategyFactory.problems(d)
        #expect(errors.map(\.field) == ["/parameters"])
        #expect(errors.first?.reason.contains("fast") == true)
    }

    /// A rule that does not compile is refused with its line and column.
    @Test func aRuleErrorNamesLineAndColumn() {
        let rules = StrategyDefinition.Rules(entry: "sma(close, 50) crosses_above\n  smaa(close, 200)", exit: nil)
        let d = StrategyDefinition(type: .rules, builtin: nil, parameters: nil, rules: rules, symbols: ["ORCL"], weights: nil)
        let errors = StrategyFactory.problems(d)
        #expect(errors.map(\.field) == ["/rules/entry"])
        #expect(errors.first?.reason.contains("line 2, column 3") == true)
    }
}
