/// Buffer-level building blocks shared by the indicators. They write only the bars they define and leave
/// the rest of `out` untouched. Arithmetic follows TA-Lib's formulas; recurrences are rearranged where that
/// shortens the dependency chain (x·k + prev·(1−k) rather than (x−prev)·k + prev), which changes results only
/// in the last bits (the TA-Lib reference test allows 1e-9 relative).
enum Kernels {
    /// An array of `count` values whose first `prefix` are NaN and whose rest `body` must write, allocated
    /// without a separate fill pass.
    @inline(__always)
    static func output(_ count: Int, nanPrefix prefix: Int, _ body: (Out) -> Void) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            let p = min(max(prefix, 0), count)
            if p > 0 { buffer.baseAddress!.initialize(repeating: .nan, count: p) }
            if p < count { body(buffer) }
            initialized = count
        }
    }

    typealias In = UnsafeBufferPointer<Double>
    typealias Out = UnsafeMutableBufferPointer<Double>

    /// Simple moving average of `x[from...]`: first output at `from + period − 1`. The running sum takes one
    /// add per bar (entering minus leaving value), which keeps the dependency chain short, and is recomputed
    /// exactly every 128 bars so rounding cannot accumulate (a series falling from 50 000 to 10 would otherwise
    /// keep the absolute error of its largest values).
    static func sma(_ x: In, _ period: Int, from: Int, into out: Out) {
        let n = x.count
        guard n - from >= period else { return }
        let inverse = 1.0 / Double(period)
        var i = from + period - 1
        while i < n {
            var total = 0.0
            for j in (i - period + 1)...i { total += x[j] }
            let blockEnd = min(i + 128, n)
            out[i] = total * inverse
            i += 1
            while i < blockEnd {
                total += x[i] - x[i - period]
                out[i] = total * inverse
                i += 1
            }
        }
    }

    /// Exponential moving average with factor `k`, seeded at bar `seedEnd` with the mean of the `period`
    /// values ending there (TA-Lib's `TA_INT_EMA`, whose seed window ends at the requested start bar).
    static func ema(_ x: In, _ period: Int, k: Double, seedEnd: Int, into out: Out) {
        let n = x.count
        guard seedEnd < n, seedEnd - period + 1 >= 0 else { return }
        var total = 0.0
        for i in (seedEnd - period + 1)...seedEnd { total += x[i] }
        var prev = total / Double(period)
        out[seedEnd] = prev
        let keep = 1 - k
        var i = seedEnd + 1
        while i < n {
            // prev·(1−k) + x·k: one multiply and one add on the dependency chain.
            prev = prev * keep + x[i] * k
            out[i] = prev
            i += 1
        }
    }

    /// Exponential moving average started at `x[from]` itself (pandas `ewm(adjust=False)`).
    static func emaFromFirst(_ x: In, k: Double, from: Int, into out: Out) {
        guard from < x.count else { return }
        var prev = x[from]
        out[from] = prev
        var i = from + 1
        while i < x.count {
            prev = ((x[i] - prev) * k) + prev
            out[i] = prev
            i += 1
        }
    }

    /// Three outputs of `count` values sharing a NaN prefix, written by one pass of `body`.
    @inline(__always)
    static func output3(_ count: Int, nanPrefix prefix: Int, _ body: (Out, Out, Out) -> Void) -> ([Double], [Double], [Double]) {
        var b: [Double] = [], c: [Double] = []
        let a = output(count, nanPrefix: prefix) { oa in
            b = output(count, nanPrefix: prefix) { ob in
                c = output(count, nanPrefix: prefix) { oc in body(oa, ob, oc) }
            }
        }
        if b.isEmpty { b = a }
        if c.isEmpty { c = a }
        return (a, b, c)
    }

    /// TA-Lib's true range of bar `i ≥ 1`: the largest of H−L, |C[i−1]−H|, |C[i−1]−L|.
    @inline(__always)
    static func trueRange(_ h: In, _ l: In, _ c: In, _ i: Int) -> Double {
        let high = h[i], low = l[i], prevClose = c[i - 1]
        var greatest = high - low
        let v2 = abs(prevClose - high)
        if v2 > greatest { greatest = v2 }
        let v3 = abs(prevClose - low)
        if v3 > greatest { greatest = v3 }
        return greatest
    }
}

/// Rolling maximum or minimum over the last `period` bars with a monotonic deque (O(1) amortised per bar).
/// Ties resolve to the most recent bar, as in TA-Lib's AROON.
struct RollingExtreme {
    private var indices: [Int]
    private var head = 0
    private var tail = 0
    private let period: Int
    private let isMax: Bool

    init(period: Int, capacity: Int, max isMax: Bool) {
        self.period = period
        self.isMax = isMax
        indices = [Int](repeating: 0, count: Swift.max(capacity, 1))
    }

    /// Adds bar `i` of `x` and returns the index of the extreme among bars `i − period + 1 ... i`.
    @inline(__always)
    mutating func push(_ x: UnsafeBufferPointer<Double>, _ i: Int) -> Int {
        let v = x[i]
        indices.withUnsafeMutableBufferPointer { q in
            if isMax {
                while tail > head && x[q[tail - 1]] <= v { tail -= 1 }
            } else {
                while tail > head && x[q[tail - 1]] >= v { tail -= 1 }
            }
            q[tail] = i
            tail += 1
            if q[head] <= i - period { head += 1 }
        }
        return indices[head]
    }
}
