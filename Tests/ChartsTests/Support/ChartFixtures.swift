import Foundation

/// Price files of `Tests/Fixtures/prices` (Yahoo daily bars; see Tests/Fixtures/README.md) and series built by
/// plain loops, independent of the renderer and of Quant.
struct PriceFile {
    var dates: [String] = []
    var open: [Double] = []
    var high: [Double] = []
    var low: [Double] = []
    var close: [Double] = []
    var volume: [Double] = []

    /// `<repo>/Tests/Fixtures/prices/<name>`, located from this file's path
    /// (`<repo>/Tests/ChartsTests/Support/ChartFixtures.swift`).
    static func load(_ name: String) throws -> PriceFile {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/prices/\(name)")
        let text = try String(contentsOf: url, encoding: .utf8)
        var file = PriceFile()
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count >= 7, let o = Double(cells[1]), let h = Double(cells[2]), let l = Double(cells[3]),
                  let c = Double(cells[4]), let v = Double(cells[6]) else { continue }
            file.dates.append(String(cells[0]))
            file.open.append(o)
            file.high.append(h)
            file.low.append(l)
            file.close.append(c)
            file.volume.append(v)
        }
        return file
    }

    /// The last `count` bars.
    func suffix(_ count: Int) -> PriceFile {
        PriceFile(dates: Array(dates.suffix(count)), open: Array(open.suffix(count)), high: Array(high.suffix(count)),
                  low: Array(low.suffix(count)), close: Array(close.suffix(count)), volume: Array(volume.suffix(count)))
    }
}

/// Simple moving average, NaN for the first period − 1 values.
func plainSMA(_ x: [Double], _ period: Int) -> [Double] {
    var out = [Double](repeating: .nan, count: x.count)
    guard x.count >= period else { return out }
    for i in (period - 1)..<x.count {
        var sum = 0.0
        for j in (i - period + 1)...i { sum += x[j] }
        out[i] = sum / Double(period)
    }
    return out
}

/// Wilder's RSI: averages of gains and losses seeded by the simple mean of the first `period` changes, then
/// smoothed as (previous · (period − 1) + current) / period; RSI = 100 · gain / (gain + loss).
func plainRSI(_ x: [Double], _ period: Int) -> [Double] {
    var out = [Double](repeating: .nan, count: x.count)
    guard x.count > period else { return out }
    var gain = 0.0, loss = 0.0
    for i in 1...period {
        let d = x[i] - x[i - 1]
        if d > 0 { gain += d } else { loss -= d }
    }
    gain /= Double(period)
    loss /= Double(period)
    out[period] = 100 * gain / (gain + loss)
    for i in (period + 1)..<x.count {
        let d = x[i] - x[i - 1]
        gain = (gain * Double(period - 1) + max(d, 0)) / Double(period)
        loss = (loss * Double(period - 1) + max(-d, 0)) / Double(period)
        out[i] = 100 * gain / (gain + loss)
    }
    return out
}

/// Weekdays (Monday to Friday) from `from` through `through`, as `YYYY-MM-DD`.
func weekdays(from: String, through: String) -> [String] {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let formatter = DateFormatter()
    formatter.calendar = calendar
    formatter.timeZone = calendar.timeZone
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd"
    var day = formatter.date(from: from)!
    let end = formatter.date(from: through)!
    var out: [String] = []
    while day <= end {
        let weekday = calendar.component(.weekday, from: day)
        if weekday != 1 && weekday != 7 { out.append(formatter.string(from: day)) }
        day = calendar.date(byAdding: .day, value: 1, to: day)!
    }
    return out
}

/// A deterministic random walk of OHLCV bars (xorshift64*), prices around 50.
func syntheticBars(count: Int, seed: UInt64 = 7) -> PriceFile {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    func uniform() -> Double {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(1 << 53)
    }
    var file = PriceFile()
    var price = 50.0
    let dates = weekdays(from: "1990-01-01", through: "2060-12-31")
    for i in 0..<count {
        let open = price * (1 + (uniform() - 0.5) * 0.02)
        let close = open * (1 + (uniform() - 0.5) * 0.04)
        file.dates.append(dates[i])
        file.open.append(open)
        file.close.append(close)
        file.high.append(max(open, close) * (1 + uniform() * 0.015))
        file.low.append(min(open, close) * (1 - uniform() * 0.015))
        file.volume.append(1e6 + uniform() * 4e6)
        price = close
    }
    return file
}
