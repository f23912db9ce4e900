import Foundation

/// The rebalancing problem in `Double`, in trade units: `deltas[i]` shares of symbol i bought (negative: sold).
struct RebalanceProblem {
    let prices: [Double], holdings: [Double], targets: [Double]
    let cashTarget: Double, cash: Double, fee: Double, minTrade: Double, reserve: Double
    let whole: Bool, buyOnly: Bool
    static let tolerance = 1e-12

    struct Candidate {
        var deltas: [Double]
        var objective: Double
        var shares: Double
    }

    private var best: Candidate?
    private var n: Int { prices.count }

    init(prices: [Double], holdings: [Double], targets: [Double], cashTarget: Double, cash: Double, fee: Double, minTrade: Double,
         reserve: Double, whole: Bool, buyOnly: Bool) {
        (self.prices, self.holdings, self.targets) = (prices, holdings, targets)
        (self.cashTarget, self.cash, self.fee, self.minTrade, self.reserve, self.whole, self.buyOnly) =
            (cashTarget, cash, fee, minTrade, reserve, whole, buyOnly)
    }

    /// One cell: the value after fees and each symbol's trade range.
    struct Cell {
        var value: Double
        var lower: [Double]
        var upper: [Double]
    }

    mutating func solve() -> Candidate? {
        let total = cash + zip(holdings, prices).reduce(0) { $0 + $1.0 * $1.1 }
        var cells: [Cell] = []
        let single = fee == 0 && minTrade == 0
        let actions = single ? 1 : Int(pow(3, Double(n)))
        for code in 0..<actions {
            var c = code, trades = 0
            var lower = [Double](repeating: 0, count: n), upper = lower
            var ok = true
            for i in 0..<n {
                let action = single ? 3 : c % 3  // 0 hold, 1 buy, 2 sell, 3 either
                c /= 3
                let minimum = whole ? max(1, (minTrade / prices[i]).rounded(.up)) : minTrade / prices[i]
                let sellAll = whole ? holdings[i].rounded(.down) : holdings[i]
                let most = ((total - reserve) / prices[i] - holdings[i]).rounded(whole ? .down : .towardZero)
                switch action {
                case 0: break
                case 1: (lower[i], upper[i]) = (minimum, most)
                case 2: (lower[i], upper[i]) = (-sellAll, -minimum)
                default: (lower[i], upper[i]) = (buyOnly ? 0 : -sellAll, max(0, most))
                }
                if action == 2 && buyOnly { ok = false }
                if lower[i] > upper[i] { ok = false }
                if action == 1 || action == 2 { trades += 1 }
            }
            if ok { cells.append(Cell(value: total - fee * Double(trades), lower: lower, upper: upper)) }
        }
        let bounds = cells.map { relaxation($0, fixed: [], deltas: []).bound }
        for i in bounds.indices.sorted(by: { bounds[$0] < bounds[$1] }) where bounds[i].isFinite {
            if let best, bounds[i] > best.objective + Self.tolerance { break }
            var deltas: [Double] = []
            deltas.reserveCapacity(n)
            _ = search(cells[i], deltas: &deltas)
        }
        return best
    }

    /// Depth-first search of a cell with `deltas` fixed for the first symbols; returns `false` when this node
    /// was pruned by its bound (or infeasible), which tells the caller to stop walking in that direction.
    private mutating func search(_ cell: Cell, deltas: inout [Double]) -> Bool {
        let (bound, relaxed) = relaxation(cell, fixed: deltas, deltas: deltas)
        guard bound.isFinite else { return false }
        if let best, bound > best.objective + Self.tolerance { return false }
        let j = deltas.count
        if j == n || !whole {
            let candidate = whole ? deltas : deltas + relaxed
            consider(Candidate(deltas: candidate, objective: bound, shares: candidate.reduce(0) { $0 + abs($1) }))
            return true
        }
        let (lo, hi) = (cell.lower[j], cell.upper[j])
        let start = min(max(relaxed[0].rounded(.down), lo), hi)
        var k = start
        while k >= lo {
            deltas.append(k)
            let kept = search(cell, deltas: &deltas)
            deltas.removeLast()
            if !kept { break }
            k -= 1
        }
        k = start + 1
        while k <= hi {
            deltas.append(k)
            let kept = search(cell, deltas: &deltas)
            deltas.removeLast()
            if !kept { break }
            k += 1
        }
        return true
    }

    private mutating func consider(_ c: Candidate) {
        guard let current = best else {
            best = c
            return
        }
        if c.objective < current.objective - Self.tolerance
            || abs(c.objective - current.objective) <= Self.tolerance
                && (c.shares < current.shares || c.shares == current.shares && c.deltas.lexicographicallyPrecedes(current.deltas))
        {
            best = c
        }
    }

    /// The continuous minimum over the symbols after `fixed` (`bound`, +∞ when infeasible) and their trades.
    func relaxation(_ cell: Cell, fixed: [Double], deltas: [Double]) -> (bound: Double, relaxed: [Double]) {
        let w = cell.value
        guard w > 0 else { return (.infinity, []) }
        var fixedCost = 0.0, fixedWeight = 0.0
        for (i, dq) in fixed.enumerated() {
            let y = (holdings[i] + dq) * prices[i] / w
            fixedCost += (y - targets[i]) * (y - targets[i])
            fixedWeight += y
        }
        let free = fixed.count..<n
        let a = free.map { (holdings[$0] + cell.lower[$0]) * prices[$0] / w }
        let b = free.map { (holdings[$0] + cell.upper[$0]) * prices[$0] / w }
        let t = free.map { targets[$0] }
        let budget = (w - reserve) / w - fixedWeight
        let lowest = a.reduce(0, +)
        guard lowest <= budget + 1e-15 else { return (.infinity, []) }
        let goal = 1 - cashTarget - fixedWeight
        func weights(_ delta: Double) -> [Double] { (0..<t.count).map { min(max(t[$0] + delta, a[$0]), b[$0]) } }
        func sum(_ delta: Double) -> Double { weights(delta).reduce(0, +) }
        // δ solves δ + S(δ) = goal (S nondecreasing); the budget then caps S.
        var lo = goal - b.reduce(0, +) - 1, hi = goal - lowest + 1
        for _ in 0..<200 where hi - lo > 1e-17 {
            let mid = (lo + hi) / 2
            if mid + sum(mid) < goal { lo = mid } else { hi = mid }
        }
        var delta = (lo + hi) / 2
        if sum(delta) > budget {
            var l = goal - b.reduce(0, +) - 2 - t.reduce(0, +), h = delta
            for _ in 0..<200 where h - l > 1e-17 {
                let mid = (l + h) / 2
                if sum(mid) <= budget { l = mid } else { h = mid }
            }
            delta = l
        }
        let y = weights(delta)
        let s = y.reduce(0, +)
        let cost = zip(y, t).reduce(fixedCost) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } + (goal - s) * (goal - s)
        let relaxed = free.enumerated().map { k, i in y[k] * w / prices[i] - holdings[i] }
        return (cost, relaxed)
    }
}
