/// One walk-forward step: fit on `inSample`, then trade `outOfSample`, both half-open index ranges into the
/// same period axis (bar or return indices, as the caller chose).
public struct WalkForwardWindow: Sendable, Hashable, Codable {
    public let inSample: Range<Int>
    public let outOfSample: Range<Int>

    public init(inSample: Range<Int>, outOfSample: Range<Int>) {
        self.inSample = inSample
        self.outOfSample = outOfSample
    }
}

/// Walk-forward analysis: in-sample / out-of-sample windows over a period axis and the stitched out-of-sample
/// equity curve.
public enum WalkForward {
    /// The windows over `count` periods. Window k tests `[s, s + outOfSample)` with `s = inSample + k · step`;
    /// it fits on the `inSample` periods just before `s` (rolling) or on everything before `s` (`anchored`, IS
    /// starts at 0 and grows by `step`). An OOS range never overlaps its own IS range; with `step ≥ outOfSample`
    /// OOS ranges never overlap each other (with `step == outOfSample`, the default, they tile
    /// `[inSample, count)` exactly; a larger step leaves gaps).
    ///
    /// The last OOS range is **kept truncated** at `count` when fewer than `outOfSample` periods remain, so no
    /// tradable period at the end is left untested; its `outOfSample.count` tells the caller it is short.
    ///
    /// - Throws: `QuantError.invalidParameter` when `inSample`, `outOfSample` or `step` is below 1, or
    ///   `count ≤ inSample` (no period left to test).
    public static func windows(
        count: Int, inSample: Int, outOfSample: Int, step: Int? = nil, anchored: Bool = false
    ) throws(QuantError) -> [WalkForwardWindow] {
        try QuantError.requirePeriod(inSample, "inSample")
        try QuantError.requirePeriod(outOfSample, "outOfSample")
        let step = step ?? outOfSample
        try QuantError.requirePeriod(step, "step")
        guard count > inSample else {
            throw .invalidParameter("count", count, "must exceed inSample (\(inSample)) to leave an out-of-sample period")
        }
        return stride(from: inSample, to: count, by: step).map { start in
            WalkForwardWindow(
                inSample: (anchored ? 0 : start - inSample)..<start,
                outOfSample: start..<min(start + outOfSample, count))
        }
    }

    /// Compounds consecutive OOS segments of simple per-period returns into one equity curve:
    /// `equity[0] = initialCapital`, `equity[i + 1] = equity[i] · (1 + r_i)` over the segments concatenated in
    /// order, so the curve has one more point than there are returns. Segments must not overlap in time (use
    /// windows with `step ≥ outOfSample`); a period covered twice would be compounded twice.
    ///
    /// - Throws: `QuantError` when `initialCapital` is not finite and positive or a return is not finite.
    public static func stitch(_ segments: [[Double]], initialCapital: Double) throws(QuantError) -> [Double] {
        guard initialCapital.isFinite, initialCapital > 0 else {
            throw .invalidParameter("initialCapital", initialCapital, "must be a finite positive amount")
        }
        var equity = [initialCapital]
        equity.reserveCapacity(segments.reduce(1) { $0 + $1.count })
        for (k, segment) in segments.enumerated() {
            try QuantError.requireFinite(segment, "segments[\(k)]")
            for r in segment { equity.append(equity[equity.count - 1] * (1 + r)) }
        }
        return equity
    }
}
