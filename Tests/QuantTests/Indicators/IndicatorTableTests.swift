import Quant
import Testing

@Suite("IndicatorTable")
struct IndicatorTableTests {
    static let defaultHeader = "Date,SMA_20,EMA_20,RSI_14,MACD_12_26_9,MACD_SIGNAL_12_26_9,MACD_HIST_12_26_9,BB_UPPER_20_2,"
        + "BB_MIDDLE_20_2,BB_LOWER_20_2,ATR_14,STOCH_SLOWK_14_3_3,STOCH_SLOWD_14_3_3,PLUS_DI_14,MINUS_DI_14,ADX_14,OBV"
    /// Warm-up rows (empty cells) per column of the default table.
    static let warmUp: [String: Int] = [
        "SMA_20": 19, "EMA_20": 19, "RSI_14": 14, "MACD_12_26_9": 33, "MACD_SIGNAL_12_26_9": 33, "MACD_HIST_12_26_9": 33,
        "BB_UPPER_20_2": 19, "BB_MIDDLE_20_2": 19, "BB_LOWER_20_2": 19, "ATR_14": 14, "STOCH_SLOWK_14_3_3": 17,
        "STOCH_SLOWD_14_3_3": 17, "PLUS_DI_14": 14, "MINUS_DI_14": 14, "ADX_14": 27, "OBV": 0,
    ]

    @Test(arguments: ["orcl-1995-2014.csv", "yhoo-1996-2014.csv", "nvda-1999-2014.csv"])
    func csvOfARealFileHasOneRowPerBarAndEmptyCellsExactlyDuringWarmUp(file: String) throws {
        let bars = try PriceTable.parse(try IndicatorTestData.sharedText("prices", file), source: file).ohlcv()
        let lines = IndicatorTable(bars: bars).csvLines()
        #expect(lines.first == Self.defaultHeader)
        #expect(lines.count == bars.count + 1)
        let names = lines[0].split(separator: ",").map(String.init)
        for (row, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(cells.count == names.count)
            #expect(cells[0] == bars.dates[row])
            for (name, cell) in zip(names.dropFirst(), cells.dropFirst()) {
                if row < Self.warmUp[name]! {
                    #expect(cell.isEmpty, "\(name) row \(row) should be empty")
                } else {
                    #expect(Double(cell)?.isFinite == true, "\(name) row \(row): \(cell)")
                }
            }
        }
    }

    @Test func onlySelectsFamiliesCaseInsensitivelyInTableOrder() throws {
        let walk = IndicatorTestWalk(count: 60)
        let bars = try OHLCV(
            dates: (0..<60).map { "d\($0)" }, open: walk.close, high: walk.high, low: walk.low, close: walk.close,
            volume: walk.volume)
        let table = try IndicatorTable(bars: bars, only: ["OBV", "rsi", "Macd"])
        #expect(table.columns.map(\.name) == ["RSI_14", "MACD_12_26_9", "MACD_SIGNAL_12_26_9", "MACD_HIST_12_26_9", "OBV"])
        let rsi = try Indicators.rsi(walk.close)
        #expect(zip(table.columns[0].values, rsi).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func unknownFamilyErrorListsTheValidNames() throws {
        let bars = try OHLCV(dates: ["a"], open: [1], high: [1], low: [1], close: [1], volume: [1])
        #expect(
            throws: QuantError.invalidParameter("indicator", "vwap", "valid names are sma, ema, rsi, macd, bbands, atr, stoch, adx, obv")
        ) { try IndicatorTable(bars: bars, only: ["sma", "vwap"]) }
    }

    @Test func valuesAreWrittenInShortestRoundTripForm() throws {
        let bars = try OHLCV(dates: ["a", "b"], open: [1, 1], high: [1, 1], low: [1, 1], close: [0.1, 0.3], volume: [7, 5])
        #expect(try IndicatorTable(bars: bars, only: ["obv"]).csv() == "Date,OBV\na,7.0\nb,12.0\n")
        let values = IndicatorTestWalk(count: 40).close
        let bars2 = try OHLCV(dates: values.map { "\($0)" }, open: values, high: values, low: values, close: values, volume: values)
        let sma = try IndicatorTable(bars: bars2, only: ["sma"])
        let cells = sma.csvLines().dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[1] }
        #expect(zip(cells, sma.columns[0].values).allSatisfy { $1.isNaN ? $0.isEmpty : Double($0) == $1 })
    }
}

extension IndicatorTable {
    init(bars: OHLCV) { try! self.init(bars: bars, only: nil) }
    func csvLines() -> [String] { csv().split(separator: "\n").map(String.init) }
}
