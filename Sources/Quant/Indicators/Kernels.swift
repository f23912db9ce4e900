#if canImport(Glibc)
import Glibc
#endif

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
            adviseHugePages(buffer)
            let p = min(max(prefix, 0), count)
            if p > 0 { buffer.baseAddress!.initialize(repeating: .nan, count: p) }
            if p < count { body(buffer) }
            initialized = count
        }
    }

    /// Asks Linux for transparent huge pages on the page-aligned part of a freshly allocated output of 4 MiB
    /// or more (`madvise(MADV_HUGEPAGE)`, as NumPy does for its large arrays). glibc gives large blocks back to
    /// the kernel when they are freed, so every call faults its outputs in again; with 2 MiB pages that is one
    /// fault per 2 MiB instead of one per 4 KiB. Advice only: memory already faulted in keeps its pages, and the
    /// call does nothing where THP is disabled (`/sys/kernel/mm/transparent_hugepage/enabled` = never).
    @inline(__always)
    static func adviseHugePages(_ buffer: Out) {
        #if os(Linux)
        let bytes = buffer.count &* MemoryLayout<Double>.stride
        guard bytes >= 1 << 22, let base = buffer.baseAddress else { return }
        let start = (UInt(bitPattern: base) &+ 4095) & ~4095
        let end = (UInt(bitPattern: base) &+ UInt(bytes)) & ~4095
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, Int(end &- start), MADV_HUGEPAGE)
        #endif
    }

    typealias In = UnsafeBufferPointer<Double>
    typealias Out = UnsafeMutableBufferPointer<Double>

    /// OR-ing these over values sets bit 63 exactly when one of them is NaN or ±∞ (all-ones exponent). The hot
    /// kernels accumulate it on values they load anyway, so validation costs no second pass over memory; their
    /// callers run the exact check (which names the first bad index) only when the bit is set.
    @inline(__always)
    static func finiteFlag(_ v: Double) -> UInt64 { (v.bitPattern & 0x7FF0_0000_0000_0000) &+ 0x0010_0000_0000_0000 }

    @inline(__always)
    static func hasNonFinite(_ flags: UInt64) -> Bool { flags & 0x8000_0000_0000_0000 != 0 }

    /// Simple moving average of `x[from...]`: first output at `from + period − 1`. The running sum takes one
    /// add per bar (entering minus leaving value), which keeps the dependency chain short, and is recomputed
    /// exactly every 128 bars so rounding cannot accumulate (a series falling from 50 000 to 10 would otherwise
    /// keep the absolute error of its largest values).
    /// Returns the `finiteFlag`s of every value read (all of `x[from...]`).
    @discardableResult
    static func sma(_ x: In, _ period: Int, from: Int, into out: Out) -> UInt64 {
        let n = x.count
        guard n - from >= period else { return 0 }
        let inverse = 1.0 / Double(period)
        var flags: UInt64 = 0
        var i = from + period - 1
        while i < n {
            var total = 0.0
            for j in (i - period + 1)...i {
                total += x[j]
                flags |= finiteFlag(x[j])
            }
            let blockEnd = min(i + 128, n)
            out[i] = total * inverse
            i += 1
            while i < blockEnd {
                let v = x[i]
                flags |= finiteFlag(v)
                total += v - x[i - period]
                out[i] = total * inverse
                i += 1
            }
        }
        return flags
    }

    /// Exponential moving average with factor `k`, seeded at bar `seedEnd` with the mean of the `period`
    /// values ending there (TA-Lib's `TA_INT_EMA`, whose seed window ends at the requested start bar).
    /// Returns the `finiteFlag`s of every value read (`x[(seedEnd − period + 1)...]`).
    @discardableResult
    static func ema(_ x: In, _ period: Int, k: Double, seedEnd: Int, into out: Out) -> UInt64 {
        let n = x.count
        guard seedEnd < n, seedEnd - period + 1 >= 0 else { return 0 }
        var total = 0.0
        var flags: UInt64 = 0
        for i in (seedEnd - period + 1)...seedEnd {
            total += x[i]
            flags |= finiteFlag(x[i])
        }
        let prev = total / Double(period)
        out[seedEnd] = prev
        _ = recurrence(start: prev, a: 1 - k, (seedEnd + 1)..<n, input: { i in
            flags |= finiteFlag(x[i])
            return x[i] * k
        }, emit: { out[$0] = $1 })
        return flags
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

    /// Runs p[i] = a·p[i−1] + u(i) for i in `range`, starting from p = `start`, handing each p[i] to `emit`;
    /// returns the last p. Four bars are advanced per step from the same p (p[i+k] = aᵏ⁺¹·p + Σ aᵏ⁻ʲ·u(i+j)),
    /// so the loop-carried chain is one multiply and one add per four bars instead of per bar. The sums are
    /// reassociated, which changes results only in the last bits (|a| < 1 damps every rounding error).
    @inline(__always)
    static func recurrence(
        start: Double, a: Double, _ range: Range<Int>, input u: (Int) -> Double, emit: (Int, Double) -> Void
    ) -> Double {
        let a2 = a * a, a3 = a2 * a, a4 = a2 * a2
        var p = start
        var i = range.lowerBound
        while i + 4 <= range.upperBound {
            let u0 = u(i), u1 = u(i + 1), u2 = u(i + 2), u3 = u(i + 3)
            let s1 = a * u0 + u1
            let s2 = a2 * u0 + (a * u1 + u2)
            let s3 = (a3 * u0 + a2 * u1) + (a * u2 + u3)
            emit(i, a * p + u0)
            emit(i + 1, a2 * p + s1)
            emit(i + 2, a3 * p + s2)
            p = a4 * p + s3
            emit(i + 3, p)
            i += 4
        }
        while i < range.upperBound {
            p = a * p + u(i)
            emit(i, p)
            i += 1
        }
        return p
    }

    /// Three outputs of `count` values sharing a NaN prefix, written by one pass of `body`.
    /// Allocated last to first, so the first output sits highest in glibc's heap: its callers' structs
    /// (`SignalLines`, `Bands`) are destroyed in declaration order, so the first array freed is the one next to
    /// the top of the heap, and glibc's trim (which returns the top to the kernel once it exceeds its threshold,
    /// so that the next call faults it in again) then releases two of the three arrays rather than all three.
    @inline(__always)
    static func output3(_ count: Int, nanPrefix prefix: Int, _ body: (Out, Out, Out) -> Void) -> ([Double], [Double], [Double]) {
        var a: [Double] = [], b: [Double] = []
        let c = output(count, nanPrefix: prefix) { oc in
            b = output(count, nanPrefix: prefix) { ob in
                a = output(count, nanPrefix: prefix) { oa in body(oa, ob, oc) }
            }
        }
        if b.isEmpty { b = c }
        if a.isEmpty { a = c }
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

extension Kernels {
    /// Calls `body(i, highest, lowest)` for every bar i, with the indices of the largest `hi` and the smallest
    /// `lo` among bars max(0, i − window + 1)...i; ties resolve to the most recent bar (as TA-Lib's AROON).
    /// TA-Lib's scheme: keep the current extreme and rescan the window only when it leaves. That is O(window)
    /// per bar on a steadily falling (rising) series but about one comparison per bar on market data, with
    /// branches that predict far better than a monotonic deque's pops.
    @inline(__always)
    static func rollingExtremes(_ hi: In, _ lo: In, window: Int, _ body: (Int, Int, Int) -> Void) {
        var highestIndex = -1, lowestIndex = -1
        var highest = 0.0, lowest = 0.0
        for i in 0..<hi.count {
            let trailing = i - window + 1
            let h = hi[i], l = lo[i]
            if highestIndex < trailing {
                highestIndex = max(trailing, 0)
                highest = hi[highestIndex]
                var j = highestIndex + 1
                while j <= i {
                    if hi[j] >= highest {
                        highest = hi[j]
                        highestIndex = j
                    }
                    j += 1
                }
            } else if h >= highest {
                highest = h
                highestIndex = i
            }
            if lowestIndex < trailing {
                lowestIndex = max(trailing, 0)
                lowest = lo[lowestIndex]
                var j = lowestIndex + 1
                while j <= i {
                    if lo[j] <= lowest {
                        lowest = lo[j]
                        lowestIndex = j
                    }
                    j += 1
                }
            } else if l <= lowest {
                lowest = l
                lowestIndex = i
            }
            body(i, highestIndex, lowestIndex)
        }
    }
}
