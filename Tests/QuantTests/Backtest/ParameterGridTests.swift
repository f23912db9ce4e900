import Foundation
import Quant
import Testing

@Suite struct ParameterGridTests {
    @Test func integerAndRealRangesListTheirValues() throws {
        #expect(try ParameterRange.integers("n", from: 5, through: 20, by: 5).values == [5, 10, 15, 20])
        #expect(try ParameterRange.integers("n", from: 5, through: 21, by: 5).values == [5, 10, 15, 20])
        #expect(try ParameterRange.integers("n", from: 3, through: 3).values == [3])
        #expect(try ParameterRange.integers("n", from: 3, through: 3).isInteger)
        #expect(try ParameterRange.reals("k", from: 0.1, through: 0.3, by: 0.1).values == [0.1, 0.2, 0.3])
        #expect(try ParameterRange.reals("k", from: 0, through: 1, by: 0.25).values == [0, 0.25, 0.5, 0.75, 1])
        let byThree: [Double] = [1, 1 + 0.3, 1 + 2 * 0.3, 1 + 3 * 0.3]
        #expect(try ParameterRange.reals("k", from: 1, through: 2, by: 0.3).values == byThree)
        #expect(try !ParameterRange.reals("k", [2.5, 1]).isInteger)
        #expect(try ParameterRange.reals("k", [2.5, 1]).values == [2.5, 1])
    }

    @Test func rangesRejectBadInput() {
        #expect(throws: QuantError.self) { try ParameterRange.integers("n", from: 5, through: 1) }
        #expect(throws: QuantError.self) { try ParameterRange.integers("n", from: 1, through: 5, by: 0) }
        #expect(throws: QuantError.self) { try ParameterRange.reals("k", from: 0, through: 1, by: -0.1) }
        #expect(throws: QuantError.self) { try ParameterRange.reals("k", from: 0, through: 1, by: 1e-9) }
        #expect(throws: QuantError.self) { try ParameterRange.reals("k", [1, .nan]) }
        #expect(throws: QuantError.self) { try ParameterRange.reals("k", []) }
        #expect(throws: QuantError.self) { try ParameterRange.integers("", [1]) }
        #expect(throws: QuantError.invalidParameter("n values", 2.0, "each value may appear once")) { try ParameterRange.integers("n", [1, 2, 2]) }
    }

    @Test func combinationsAreLexicographicInDeclaredOrder() throws {
        let fast = try ParameterRange.integers("fast", [5, 10])
        let slow = try ParameterRange.integers("slow", from: 20, through: 40, by: 10)
        let stop = try ParameterRange.reals("stop", [0.02, 0.05])
        let grid = try ParameterGrid(ranges: [fast, slow, stop])
        var expected: [[Double]] = []
        for f in fast.values { for s in slow.values { for x in stop.values { expected.append([f, s, x]) } } }
        #expect(grid.count == 12)
        #expect(grid.combinations.map(\.values) == expected)
        #expect(grid.combinations.allSatisfy { $0.names == ["fast", "slow", "stop"] })
        #expect(grid.combinations[3]["slow"] == 30)
        #expect(grid.combinations[3].integer("fast") == 5)
        #expect(grid.combinations[3].integer("stop") == nil)
        #expect(grid.combinations[3]["missing"] == nil)
        #expect(grid.combinations[3].description == "fast=5, slow=30, stop=0.05")
    }

    @Test func filterKeepsOnlyCombinationsMeetingTheConstraint() throws {
        let grid = try ParameterGrid(
            ranges: [.integers("fast", from: 1, through: 10), .integers("slow", from: 1, through: 10)],
            where: { $0["fast"]! < $0["slow"]! })
        #expect(grid.count == 45)
        #expect(grid.combinations.allSatisfy { $0["fast"]! < $0["slow"]! })
        #expect(grid.combinations.first?.values == [1, 2])
        #expect(grid.combinations.last?.values == [9, 10])
        let none = try ParameterGrid(ranges: [.integers("n", [1, 2])], where: { _ in false })
        #expect(none.count == 0)
        #expect(try none.sample(count: 3, seed: 1).isEmpty)
    }

    @Test func gridsAboveTheLimitAreRefusedWithTheirShape() throws {
        let a = try ParameterRange.integers("a", from: 1, through: 100)
        let b = try ParameterRange.integers("b", from: 1, through: 100)
        let c = try ParameterRange.integers("c", from: 1, through: 11)
        #expect(throws: QuantError.invalidParameter(
            "parameter grid size", "110000", "a 100 × b 100 × c 11 exceeds the limit of 100000 combinations; narrow a range or raise the limit")
        ) { try ParameterGrid(ranges: [a, b, c]) }
        #expect(throws: QuantError.self) { try ParameterGrid(ranges: [a, c], limit: 1099) }
        #expect(try ParameterGrid(ranges: [a, c], limit: 1100).count == 1100)
        let huge = try (0..<4).map { i throws(QuantError) in try ParameterRange.integers("h\(i)", from: 1, through: 100_000) }
        // 10^20 combinations overflow Int: refused, not wrapped.
        #expect(throws: QuantError.self) { try ParameterGrid(ranges: huge, limit: .max) }
        #expect(throws: QuantError.self) { try ParameterGrid(ranges: []) }
        #expect(throws: QuantError.self) { try ParameterGrid(ranges: [a, a]) }
    }

    /// Indices pinned by an independent python3 port of the same draw (SplitMix64, Lemire's bounded integer,
    /// partial Fisher–Yates over `range(n)`, first k sorted): `sample(100, 5, 2024) == [10, 14, 31, 62, 83]`,
    /// `sample(100, 5, 2025) == [3, 20, 45, 62, 98]`, `sample(45, 7, 7) == [1, 14, 17, 22, 24, 27, 40]`.
    @Test func samplingIsSeededWithoutReplacementAndInGridOrder() throws {
        let grid = try ParameterGrid(ranges: [.integers("a", from: 0, through: 9), .integers("b", from: 0, through: 9)])
        let index = { (set: ParameterSet) in Int(set["a"]! * 10 + set["b"]!) }
        #expect(try grid.sample(count: 5, seed: 2024).map(index) == [10, 14, 31, 62, 83])
        #expect(try grid.sample(count: 5, seed: 2025).map(index) == [3, 20, 45, 62, 98])
        let filtered = try ParameterGrid(
            ranges: [.integers("fast", from: 1, through: 10), .integers("slow", from: 1, through: 10)], where: { $0["fast"]! < $0["slow"]! })
        let drawn = try filtered.sample(count: 7, seed: 7)
        #expect(drawn == [1, 14, 17, 22, 24, 27, 40].map { filtered.combinations[$0] })
        #expect(try grid.sample(count: 100, seed: 1) == grid.combinations)
        #expect(try grid.sample(count: 500, seed: 1) == grid.combinations)
        #expect(try grid.sample(count: 0, seed: 1).isEmpty)
        #expect(throws: QuantError.self) { try grid.sample(count: -1, seed: 1) }
        let large = try grid.sample(count: 60, seed: 99)
        #expect(Set(large).count == 60)
        #expect(large.map(index) == large.map(index).sorted())
    }

    @Test func samplingIsUniformOverCombinations() throws {
        let grid = try ParameterGrid(ranges: [.integers("n", from: 0, through: 9)])
        var counts = [Int](repeating: 0, count: 10)
        for seed in 0..<20_000 as Range<UInt64> {
            for set in try grid.sample(count: 3, seed: seed) { counts[set.integer("n")!] += 1 }
        }
        // Each index is drawn with probability 3/10: expected 6,000, sd ≈ 65; 5 sd bounds.
        #expect(counts.allSatisfy { abs($0 - 6000) < 325 }, "\(counts)")
    }

    @Test func parameterSetRoundTripsThroughJSONInOrder() throws {
        let set = try ParameterSet(names: ["slow", "fast", "k"], values: [50, 10, 0.5])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(set)
        #expect(String(decoding: data, as: UTF8.self) == #"[{"name":"slow","value":50},{"name":"fast","value":10},{"name":"k","value":0.5}]"#)
        #expect(try JSONDecoder().decode(ParameterSet.self, from: data) == set)
        #expect(set.dictionary == ["slow": 50, "fast": 10, "k": 0.5])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ParameterSet.self, from: Data(#"[{"name":"a","value":1},{"name":"a","value":2}]"#.utf8))
        }
        #expect(throws: QuantError.self) { try ParameterSet(names: ["a"], values: [1, 2]) }
    }
}
